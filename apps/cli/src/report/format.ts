/** Placeholder for a missing value. */
export const DASH = '–';
const MINUS = '−';

export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function signed(text: string): string {
  if (/^-0(\.0*)?$/.test(text)) return text.slice(1); // −0.00 reads as a loss that is not there
  return text.startsWith('-') ? MINUS + text.slice(1) : text;
}

/** A share in [0, 1] as a percentage without the sign: `0.98734` → `98.73`. */
export function pct(v: number | undefined, digits = 2): string {
  return isNum(v) ? signed((v * 100).toFixed(digits)) : DASH;
}

/** A share difference in percentage points: `0.0032` → `0.32`. */
export const pp = pct;

export function num(v: number | undefined, digits = 2): string {
  return isNum(v) ? signed(v.toFixed(digits)) : DASH;
}

/** Integers with thin-space thousands separators (locale-independent). */
export function int(v: number | undefined): string {
  if (!isNum(v)) return DASH;
  const s = Math.round(Math.abs(v))
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return v < 0 ? MINUS + s : s;
}

/** Milliseconds with precision that suits the magnitude. */
export function ms(v: number | undefined): string {
  if (!isNum(v)) return DASH;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** `digits` significant digits in plain decimal notation, never exponents: `5.32e-5` → `0.0000532`. */
export function plain(v: number | undefined, digits = 3): string {
  if (!isNum(v)) return DASH;
  if (v === 0) return '0';
  const decimals = Math.max(0, Math.min(20, digits - 1 - Math.floor(Math.log10(Math.abs(v)))));
  const text =
    Math.abs(v) >= 10 ** digits
      ? Math.round(v).toString()
      : Number(v.toFixed(decimals))
          .toFixed(decimals)
          .replace(/(\.\d*?)0+$/, '$1')
          .replace(/\.$/, '');
  return signed(text);
}

/** A duration given in milliseconds, in the unit that reads best: `0.0532` → `53.2 µs`, `1.25` → `1.25 ms`, `2400` → `2.4 s`. */
export function duration(msValue: number | undefined): string {
  if (!isNum(msValue)) return DASH;
  if (msValue === 0) return '0';
  const a = Math.abs(msValue);
  if (a < 1) return `${plain(msValue * 1e3)} µs`;
  if (a < 1000) return `${plain(msValue)} ms`;
  return `${plain(msValue / 1e3)} s`;
}

/** Significant digits for values spanning orders of magnitude (energies, diffs). */
export function sig(v: number | undefined, digits = 3): string {
  if (!isNum(v)) return DASH;
  if (v === 0) return '0';
  const a = Math.abs(v);
  return signed(a >= 1e-3 && a < 1e6 ? Number(v.toPrecision(digits)).toString() : v.toExponential(digits - 1));
}

/** ISO timestamp → `2025-03-14 09:26 UTC` (locale- and timezone-independent); raw text when unparsable. */
export function dateTime(iso: string | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** SQNR in dB, with the sentinels of backend-eval (999 identical, −999 not measurable). */
export function sqnr(v: number | undefined): string {
  if (!isNum(v)) return DASH;
  if (v >= 999) return '∞';
  if (v <= -999) return 'n/m';
  return num(v, 1);
}

/** A drop with its interval in percentage points: `7.46 [2.10, 11.71]`; just the value when the bounds are unknown. */
export function ppInterval(i: { readonly mean: number; readonly low: number; readonly high: number } | undefined, digits = 2): string {
  if (i === undefined || !isNum(i.mean)) return DASH;
  return isNum(i.low) && isNum(i.high) ? `${pp(i.mean, digits)} [${pp(i.low, digits)}, ${pp(i.high, digits)}]` : pp(i.mean, digits);
}
