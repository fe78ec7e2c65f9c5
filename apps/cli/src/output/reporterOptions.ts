/** Options of `createReporter`; everything has a default, so tests pass only what they check. */
export interface ReporterOptions {
  /** Where events and results go. Default `process.stdout`. */
  readonly stream?: NodeJS.WritableStream;
  /** Where warnings go in the default reporter. Default `process.stderr`. */
  readonly errStream?: NodeJS.WritableStream;
  /** Live progress bars. Default: whether `stream` is a terminal. */
  readonly isTTY?: boolean;
  /** `false` from `--no-color`. Colour is also off under `NO_COLOR`, `CI` or without a TTY. */
  readonly color?: boolean;
  /** Print eval results, artifacts and the command line as they happen. */
  readonly verbose?: boolean;
  /** Clock in milliseconds (rates, ETA, durations, JSON `time`). Default `Date.now`. */
  readonly now?: () => number;
  /** Environment read for `NO_COLOR` / `CI`. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Terminal width for bars. Default `stream.columns`, else 80. */
  readonly columns?: number;
}

/** @internal */
export interface ResolvedReporterOptions {
  readonly stream: NodeJS.WritableStream;
  readonly errStream: NodeJS.WritableStream;
  readonly isTTY: boolean;
  readonly color?: boolean;
  readonly verbose: boolean;
  readonly now: () => number;
  readonly env: NodeJS.ProcessEnv;
  readonly columns?: number;
}

/** @internal */
export function resolveReporterOptions(options: ReporterOptions = {}): ResolvedReporterOptions {
  const stream = options.stream ?? process.stdout;
  return {
    stream,
    errStream: options.errStream ?? process.stderr,
    isTTY: options.isTTY ?? (stream as { isTTY?: boolean }).isTTY === true,
    ...(options.color !== undefined ? { color: options.color } : {}),
    verbose: options.verbose ?? false,
    now: options.now ?? Date.now,
    env: options.env ?? process.env,
    ...(options.columns !== undefined ? { columns: options.columns } : {}),
  };
}
