import { isQuantTrimError } from '@quant-trim/errors';

/**
 * The Quant-Trim error code `fn` throws: `'none'` when it returns, `'not a QuantTrimError'` for
 * any other exception. Tests compare codes, never messages alone.
 */
export function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isQuantTrimError(e) ? e.code : 'not a QuantTrimError';
  }
  return 'none';
}
