export { createReporter } from './createReporter.js';
export { formatError } from './formatError.js';
export { formatTable } from './formatTable.js';
export { createColors, shouldUseColor, stripAnsi } from './colors.js';
export { formatDuration, formatRate } from './formatTime.js';

export type { ReporterName } from './createReporter.js';
export type { ReporterOptions } from './reporterOptions.js';
export type { JsonEventType } from './jsonReporter.js';
export type { FormatErrorOptions, PrintableError } from './formatError.js';
export type { FormatTableOptions, TableColumn } from './formatTable.js';
export type { ColorOptions, Colors } from './colors.js';
export type { ArtifactEvent, EpochEndEvent, EvalEndEvent, Phase, PhaseStartEvent, ProgressEvent, Reporter, RunEndEvent, RunStartEvent } from './types.js';
