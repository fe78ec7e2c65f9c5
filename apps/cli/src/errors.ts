import { isQuantTrimError, type QuantTrimError } from '@quant-trim/errors';

/**
 * Exit codes of the `quant-trim` CLI (documented in its `--help` and README):
 * 0 success · 1 internal error (a bug: please report it) · 2 usage error (bad flag, unknown
 * command, invalid config) · 3 input error (missing / corrupt dataset, model or report file,
 * unknown profile) · 4 output error (the output directory cannot be written, already holds a run
 * and neither --resume nor --force was given, or is locked by another run) · 130 interrupted
 * (Ctrl-C; the last complete checkpoint is kept).
 */
export const EXIT = { ok: 0, internal: 1, usage: 2, input: 3, output: 4, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Thrown to stop with `exitCode` after printing `message` (no stack trace unless --verbose). */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly code: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const USAGE_CODES = new Set([
  'QT_TRAINING_DIVERGED',
  'QT_BACKEND_MEMORY',
  'QT_INVALID_ARGUMENT',
  'QT_INVALID_CONFIG',
  'QT_UNKNOWN_SCHEME',
  'QT_UNKNOWN_CALIBRATOR',
  'QT_UNKNOWN_SCHEDULE',
  'QT_INVALID_SCHEME',
  'QT_INVALID_SCHEDULE',
  'QT_INVALID_BIT_WIDTH',
  'QT_INVALID_GRANULARITY',
  'QT_INVALID_PROFILE',
]);
const INPUT_CODES = new Set([
  'QT_IO_ERROR',
  'QT_ONNX_DECODE',
  'QT_ONNX_INVALID_GRAPH',
  'QT_IMPORT_UNSUPPORTED_OP',
  'QT_UNKNOWN_PROFILE',
  'QT_DATASET_MISSING',
  'QT_DATASET_CORRUPT',
  'QT_MODEL_LOAD',
  'QT_INVALID_REPORT',
  'QT_UNSUPPORTED_OP',
]);
const OUTPUT_CODES = new Set(['QT_OUTPUT_UNWRITABLE', 'QT_OUTPUT_EXISTS', 'QT_OUTPUT_LOCKED']);

/** Maps any thrown value to what the CLI prints and the exit code. */
export function toExit(error: unknown): { exitCode: ExitCode; code: string; message: string; hint?: string } {
  if (error instanceof ExitError) return { exitCode: error.exitCode, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  if (isQuantTrimError(error)) {
    const e = error as QuantTrimError;
    const hint = typeof e.details?.['hint'] === 'string' ? (e.details['hint'] as string) : undefined;
    if (e.code === 'QT_INTERRUPTED') return { exitCode: EXIT.interrupted, code: e.code, message: e.message, ...(hint ? { hint } : {}) };
    if (OUTPUT_CODES.has(e.code)) return { exitCode: EXIT.output, code: e.code, message: e.message, ...(hint ? { hint } : {}) };
    const exitCode = USAGE_CODES.has(e.code) ? EXIT.usage : INPUT_CODES.has(e.code) ? EXIT.input : EXIT.internal;
    return { exitCode, code: e.code, message: e.message, ...(hint ? { hint } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: EXIT.internal, code: 'QT_INTERNAL', message, hint: 'this is a bug in quant-trim: rerun with --verbose and report the stack trace' };
}
