/** The few ANSI styles the CLI uses; each is the identity when colour is off. */
export interface Colors {
  readonly enabled: boolean;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
}

export interface ColorOptions {
  /** Whether the stream is a terminal. */
  readonly isTTY: boolean;
  /** `false` from `--no-color`; `true` (cac's default for a `--no-*` flag) does not force colour. */
  readonly color?: boolean;
  /** Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Colour is on only on a TTY, without `--no-color`, and with neither `NO_COLOR` nor `CI` set to
 * any value (https://no-color.org; CI logs keep raw escape codes).
 */
export function shouldUseColor(options: ColorOptions): boolean {
  const env = options.env ?? process.env;
  return options.isTTY && options.color !== false && env['NO_COLOR'] === undefined && env['CI'] === undefined;
}

const style =
  (enabled: boolean, open: number, close: number) =>
  (text: string): string =>
    enabled && text.length > 0 ? `\u001b[${open}m${text}\u001b[${close}m` : text;

/** A colour helper; no dependency, no global state. */
export function createColors(enabled: boolean): Colors {
  return {
    enabled,
    bold: style(enabled, 1, 22),
    dim: style(enabled, 2, 22),
    red: style(enabled, 31, 39),
    green: style(enabled, 32, 39),
    yellow: style(enabled, 33, 39),
    cyan: style(enabled, 36, 39),
  };
}

/** Removes ANSI escape sequences, e.g. to measure the visible width of a cell. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}
