/**
 * The `quant-trim` app as a library: every command as an async function taking its options and a
 * `CommandContext` (working directory, reporter, abort signal), plus `main(argv)` — what the
 * `quant-trim` bin runs. Tests and scripts call these directly.
 */
export { main, createCli } from './cli.js';
export { EXIT, ExitError, toExit } from './errors.js';
export { demo, DEMO_DEFAULTS } from './commands/demo/index.js';
export { compare } from './commands/compare/index.js';
export { train } from './commands/train/index.js';
export { exportCommand } from './commands/export/index.js';
export { evalCommand } from './commands/eval/index.js';
export { profiles, describeProfile } from './commands/profiles/index.js';
export { inspect } from './commands/inspect/index.js';
export { report, parseRunReport } from './commands/report/index.js';
export { runComparison, verdicts } from './pipeline/compare.js';
export { loadDataset, describeDataset } from './data/index.js';
export { buildModel, loadModelJson, MODEL_NAMES } from './models/index.js';
export { loadConfig, parseConfig, mergeOptions } from './config/index.js';
export { createReporter } from './output/index.js';
export { renderEvaluationHtmlReport, renderHtmlReport, writeEvaluationHtmlReport, writeHtmlReport } from './report/index.js';
export { RUN_REPORT_SCHEMA_ID } from './report/types.js';

export type { CommandContext } from './commands/context.js';
export type { Config, ConfigInput } from './config/index.js';
export type { Dataset, Split } from './data/types.js';
export type { ModelName } from './models/types.js';
export type { Reporter } from './output/types.js';
export type { Method, MethodRun, MethodSummary, RunReport } from './report/types.js';
