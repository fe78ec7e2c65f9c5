import { compare, type CompareFlags } from '../compare/index.js';
import type { CommandContext } from '../context.js';

export { DEMO_DEFAULTS } from './defaults.js';
import { DEMO_DEFAULTS } from './defaults.js';

/**
 * `quant-trim demo`: trains FP, QAT and Quant-Trim on the embedded dataset, evaluates them across
 * all profiles and writes the report. Unlike `compare`, a rerun replaces the previous demo in
 * `--out` (as `--force`; `--resume` continues it instead): the demo is seeded and deterministic, so a
 * rerun recreates the same result, and the documented `npm run demo` must keep working when run
 * twice. The output directory is still locked against a concurrent run.
 */
export async function demo(flags: CompareFlags, ctx: CommandContext) {
  return compare({ ...DEMO_DEFAULTS, ...definedOnly(flags), force: flags.force === true || flags.resume !== true }, ctx);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
