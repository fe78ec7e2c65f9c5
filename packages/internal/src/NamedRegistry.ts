import { type ErrorCode, QuantTrimError } from '@quant-trim/errors';

export interface RegisterOptions {
  /** Replace an entry already registered under the same name with a different object. */
  override?: boolean;
}

/**
 * The one set of registry rules every Quant-Trim registry follows (schemes, calibrators,
 * schedules, backends, exporters):
 * - registering the same object twice does nothing;
 * - a different object under a name already taken throws `QT_DUPLICATE_NAME`, unless
 *   `{ override: true }` is passed;
 * - looking up an unknown name throws `unknownCode` with a message listing the registered names.
 *
 * Registries are instances: nothing is stored on a process global.
 */
export class NamedRegistry<TEntry extends { readonly name: string }> {
  readonly #entries = new Map<string, TEntry>();

  /** @param kind what the entries are, for messages ("scheme", "calibrator", ...). */
  constructor(
    readonly kind: string,
    private readonly unknownCode: ErrorCode,
  ) {}

  register(entry: TEntry, options: RegisterOptions = {}): TEntry {
    if (typeof entry !== 'object' || entry === null || typeof entry.name !== 'string' || entry.name.length === 0) {
      throw new QuantTrimError({
        code: 'QT_INVALID_PLUGIN',
        message: `register ${this.kind}: expected an object with a non-empty string \`name\`, got ${describe(entry)}`,
      });
    }
    const existing = this.#entries.get(entry.name);
    if (existing === entry) return entry;
    if (existing !== undefined && options.override !== true) {
      throw new QuantTrimError({
        code: 'QT_DUPLICATE_NAME',
        message: `${this.kind} "${entry.name}" is already registered with a different definition; pass { override: true } to replace it`,
        details: { kind: this.kind, name: entry.name },
      });
    }
    this.#entries.set(entry.name, entry);
    return entry;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  get(name: string): TEntry {
    const entry = this.#entries.get(name);
    if (entry === undefined) {
      const known = this.names();
      throw new QuantTrimError({
        code: this.unknownCode,
        message: `unknown ${this.kind} "${name}"; registered: ${known.length > 0 ? known.join(', ') : '(none)'}`,
        details: { kind: this.kind, name, registered: known },
      });
    }
    return entry;
  }

  /** Removes an entry; returns whether it existed. */
  unregister(name: string): boolean {
    return this.#entries.delete(name);
  }

  names(): string[] {
    return [...this.#entries.keys()].sort();
  }

  values(): TEntry[] {
    return [...this.#entries.values()];
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return `an object without a valid name`;
}
