import { stripAnsi } from './colors.js';

/** One column of `formatTable`. */
export interface TableColumn<TRow> {
  readonly header: string;
  /** The row field shown, when `value` is not given. */
  readonly key?: keyof TRow & string;
  /** Cell text of a row; takes precedence over `key`. */
  readonly value?: (row: TRow) => string | number | undefined | null;
  /** Default: `right` when every cell is a number, `left` otherwise. */
  readonly align?: 'left' | 'right';
}

export interface FormatTableOptions {
  /** Spaces between columns. Default 2. */
  readonly gap?: number;
  /** A dashed line under the header. Default true. */
  readonly rule?: boolean;
}

/**
 * Aligns rows into a plain-text table (no trailing spaces, no final newline). Cells may hold ANSI
 * colour; widths are measured without it. Missing values print as `-`.
 *
 * @example
 * formatTable([{ profile: 'tflite-int8', acc: 0.981 }], [
 *   { header: 'profile', key: 'profile' },
 *   { header: 'accuracy', value: (r) => `${(r.acc * 100).toFixed(1)}%`, align: 'right' },
 * ]);
 * // profile      accuracy
 * // -----------  --------
 * // tflite-int8     98.1%
 */
export function formatTable<TRow>(rows: readonly TRow[], columns: readonly TableColumn<TRow>[], options: FormatTableOptions = {}): string {
  const gap = ' '.repeat(options.gap ?? 2);
  const raw = rows.map((row) =>
    columns.map((column) => (column.value ? column.value(row) : column.key !== undefined ? (row[column.key] as unknown) : undefined)),
  );
  const cells = raw.map((row) => row.map((value) => (value === undefined || value === null || value === '' ? '-' : String(value))));
  const aligns = columns.map((column, c) => column.align ?? (raw.length > 0 && raw.every((row) => typeof row[c] === 'number') ? 'right' : 'left'));
  const widths = columns.map((column, c) => Math.max(width(column.header), ...cells.map((row) => width(row[c] ?? ''))));

  const line = (texts: readonly string[]): string =>
    texts
      .map((text, c) => {
        const pad = ' '.repeat((widths[c] ?? 0) - width(text));
        return aligns[c] === 'right' ? pad + text : text + pad;
      })
      .join(gap)
      .trimEnd();

  const out = [line(columns.map((column) => column.header))];
  if (options.rule !== false) out.push(line(widths.map((w) => '-'.repeat(w))));
  for (const row of cells) out.push(line(row));
  return out.join('\n');
}

function width(text: string): number {
  return [...stripAnsi(text)].length;
}
