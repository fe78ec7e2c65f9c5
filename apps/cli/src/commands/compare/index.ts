import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { isOnnxModelPath } from '../../models/index.js';
import { runComparison } from '../../pipeline/compare.js';
import type { RunReport } from '../../report/types.js';
import { commandLine, type CommandContext } from '../context.js';
import { hasEntries, withOutputDir } from '../outputDir.js';
import { comparisonOptions, resolveConfig, resolveDataset, type RunFlags } from '../settings.js';
import { writeRunReport } from '../writeRunReport.js';

export interface CompareFlags extends RunFlags {
  /** Continue every method from its last complete checkpoint in `<out>/checkpoints/<method>`. */
  readonly resume?: boolean;
  /** Replace a previous comparison in `--out` (without it, such a run is refused). */
  readonly force?: boolean;
}

/** What a command built on `compare` (demo) adds after the report, while `--out` is still locked. */
export interface CompareHooks {
  readonly afterReport?: (out: string, report: RunReport, written: { json: string; html: string }) => Promise<void>;
}

/** A previous comparison in `out` (its report or checkpoints), described; undefined when none. */
export function previousComparison(out: string): string | undefined {
  if (existsSync(join(out, 'report.json'))) return 'a finished comparison (report.json)';
  const checkpoints = join(out, 'checkpoints');
  if (hasEntries(checkpoints))
    return `checkpoints of a previous run (${readdirSync(checkpoints).sort().slice(0, 4).join(', ')}${readdirSync(checkpoints).length > 4 ? ', …' : ''} in checkpoints/)`;
  return undefined;
}

/**
 * `quant-trim compare`: FP vs QAT vs Quant-Trim with the same model, data and budget, each
 * deployed through every backend profile — the comparison table of docs/method.md#evaluation-protocol, written as report.json and
 * report.html in `--out`.
 */
export async function compare(
  flags: CompareFlags,
  ctx: CommandContext,
  options: CompareHooks = {},
): Promise<{ report: RunReport; json: string; html: string }> {
  const config = await resolveConfig(flags, ctx);
  const claim = {
    command: commandLine(ctx.argv),
    onWarning: (m: string) => ctx.reporter.onWarning?.(m),
    resume: flags.resume === true,
    force: flags.force === true,
    previousRun: previousComparison,
  };
  return withOutputDir(resolve(ctx.cwd, config.out), claim, async (out) => {
    const dataset = await resolveDataset(config, ctx);
    // An imported model is read and checked before training, on the backend it trains on.
    if (isOnnxModelPath(config.model)) await initTrainingBackend({ backend: 'wasm' });
    const report = await runComparison(comparisonOptions(config, dataset, ctx, { resume: flags.resume === true, command: commandLine(ctx.argv), out }));
    const written = await writeRunReport(report, out, ctx);
    await options.afterReport?.(out, report, written);
    return { report, ...written };
  });
}
