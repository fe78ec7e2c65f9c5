import { isQuantTrimError } from '@quant-trim/errors';
import { defaultScheduleRegistry, fromJSON, type Schedule, type ScheduleConfig, type ScheduleRegistryInstance } from '@quant-trim/schedulers';
import type { z } from 'zod';

/**
 * Stands in for a curriculum's missing `totalSteps` while validating: with the default fraction
 * unit the breakpoints do not depend on it, so any positive value checks the same rules.
 */
const PLACEHOLDER_TOTAL_STEPS = 1_000_000;

/**
 * Returns a copy of a schedule config in which every `quantTrimCurriculum` without `totalSteps`
 * (at any depth) gets `totalSteps`. Configs leave it out because the number of training steps is
 * only known once the dataset is loaded.
 */
export function withTotalSteps(json: unknown, totalSteps: number): unknown {
  if (Array.isArray(json)) return json.map((item) => withTotalSteps(item, totalSteps));
  if (typeof json !== 'object' || json === null) return json;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) out[key] = withTotalSteps(value, totalSteps);
  if (out['type'] === 'quantTrimCurriculum' && out['totalSteps'] === undefined) out['totalSteps'] = totalSteps;
  return out;
}

/**
 * Builds the λ schedule of a run from `config.lambda`, filling in the curriculum's `totalSteps`.
 *
 * @example
 * const lambda = resolveLambda(config.lambda, config.epochs * Math.ceil(trainCount / config.batchSize));
 * lambda.at(step);
 */
export function resolveLambda(lambda: { readonly type: string }, totalSteps: number, registry: ScheduleRegistryInstance = defaultScheduleRegistry): Schedule {
  return fromJSON(withTotalSteps(lambda, totalSteps) as ScheduleConfig, registry);
}

/** Curricula in step units need their real `totalSteps`: a placeholder would accept any breakpoint. */
function stepUnitWithoutTotal(json: unknown, path: string[]): string[] | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const node = json as Record<string, unknown>;
  if (node['type'] === 'quantTrimCurriculum' && node['unit'] === 'steps' && node['totalSteps'] === undefined) return path;
  for (const [key, value] of Object.entries(node)) {
    const found = stepUnitWithoutTotal(value, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * Validates a λ schedule config with the schedulers package itself, so every rule (and every
 * plugin schedule registered on `registry`) applies. Its messages carry a dotted path from the
 * root schedule's type (`quantTrimCurriculum.quarticEnd: …`), rewritten here to the config path
 * (`lambda.quarticEnd: …`).
 */
export function checkLambda(value: Record<string, unknown>, registry: ScheduleRegistryInstance, ctx: z.core.$RefinementCtx<Record<string, unknown>>): void {
  const missing = stepUnitWithoutTotal(value, []);
  if (missing) {
    ctx.addIssue({
      code: 'custom',
      path: [...missing, 'totalSteps'],
      message: 'required when unit is "steps" (the breakpoints are step counts)',
      input: value,
    });
    return;
  }
  try {
    fromJSON(withTotalSteps(value, PLACEHOLDER_TOTAL_STEPS) as ScheduleConfig, registry);
  } catch (error) {
    if (!isQuantTrimError(error)) throw error;
    const match = /^([\w$-]+(?:\.[\w$-]+)*): ([\s\S]*)$/.exec(error.message);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: error.message, input: value });
      return;
    }
    // The first segment is the root schedule's type (or "schedule"); the rest is the JSON path.
    const path = (match[1] ?? '')
      .split('.')
      .slice(1)
      .map((key) => (/^\d+$/.test(key) ? Number(key) : key));
    ctx.addIssue({ code: 'custom', path, message: match[2] ?? error.message, input: value });
  }
}
