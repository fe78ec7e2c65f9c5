import { resolve } from 'node:path';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { isOnnxModelPath } from '../../models/index.js';
import { runComparison } from '../../pipeline/compare.js';
import type { RunReport } from '../../report/types.js';
import { commandLine, ensureOutputDir, type CommandContext } from '../context.js';
import { comparisonOptions, resolveConfig, resolveDataset, type RunFlags } from '../settings.js';
import { writeRunReport } from '../writeRunReport.js';

export interface CompareFlags extends RunFlags {
  /** Continue every method from its last complete checkpoint in `<out>/checkpoints/<method>`. */
  readonly resume?: boolean;
}

/**
 * `quant-trim compare`: FP vs QAT vs Quant-Trim with the same model, data and budget, each
 * deployed through every backend profile — the METHOD.md §6 table, written as report.json and
 * report.html in `--out`.
 */
export async function compare(flags: CompareFlags, ctx: CommandContext): Promise<{ report: RunReport; json: string; html: string }> {
  const config = await resolveConfig(flags, ctx);
  const out = ensureOutputDir(resolve(ctx.cwd, config.out));
  const dataset = await resolveDataset(config, ctx);
  // An imported model is read and checked before training, on the backend it trains on.
  if (isOnnxModelPath(config.model)) await initTrainingBackend({ backend: 'wasm' });
  const report = await runComparison(comparisonOptions(config, dataset, ctx, { resume: flags.resume === true, command: commandLine(ctx.argv), out }));
  return { report, ...(await writeRunReport(report, out, ctx)) };
}
