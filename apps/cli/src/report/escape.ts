const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes any value for text content and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Tagged template: interpolated values are HTML-escaped unless wrapped with `raw()`. */
export interface RawHtml {
  readonly __html: string;
}

export function raw(html: string): RawHtml {
  return { __html: html };
}

function isRaw(value: unknown): value is RawHtml {
  return typeof value === 'object' && value !== null && typeof (value as RawHtml).__html === 'string';
}

function part(value: unknown): string {
  if (Array.isArray(value)) return value.map(part).join('');
  if (isRaw(value)) return value.__html;
  if (value === false || value === undefined || value === null) return '';
  return escapeHtml(value);
}

/** Builds HTML from a template, escaping every interpolation (arrays are joined, `raw()` passes through). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): RawHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += part(values[i]) + (strings[i + 1] ?? '');
  return raw(out);
}
