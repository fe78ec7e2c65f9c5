import { createColors } from './colors.js';

/** What the top-level catch prints (see `toExit` in `errors.ts`). */
export interface PrintableError {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

export interface FormatErrorOptions {
  /** Append the stack trace (`--verbose`). */
  readonly verbose?: boolean;
  /** The thrown error's stack, printed only when `verbose`. */
  readonly stack?: string;
  /** ANSI colour; decide with `shouldUseColor` for the error stream. Default false. */
  readonly color?: boolean;
}

/**
 * The text the CLI prints on stderr for a failed command:
 *
 *     error QT_INVALID_CONFIG: epochs: expected an integer ≥ 1, got 0
 *     hint: check the file against its JSON Schema
 *
 * plus the stack trace with `--verbose`. Ends with a newline.
 *
 * @example
 * process.stderr.write(formatError(toExit(error), { verbose, stack: (error as Error).stack }));
 */
export function formatError(error: PrintableError, options: FormatErrorOptions = {}): string {
  const c = createColors(options.color === true);
  const lines = [`${c.red(c.bold('error'))} ${c.bold(error.code)}: ${error.message}`];
  if (error.hint) lines.push(`${c.cyan('hint:')} ${error.hint}`);
  if (options.verbose && options.stack) lines.push(c.dim(stackFrames(options.stack)));
  return `${lines.join('\n')}\n`;
}

/** The stack without its first "Name: message" block, which the error line already shows. */
function stackFrames(stack: string): string {
  const lines = stack.split('\n');
  const first = lines.findIndex((line) => /^\s+at /.test(line));
  return (first > 0 ? lines.slice(first) : lines).join('\n');
}
