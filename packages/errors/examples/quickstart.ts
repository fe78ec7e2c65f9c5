import { ErrorCodes, QuantTrimError, assert, isQuantTrimError } from '@quant-trim/errors';

// A check that throws a coded error; the message is built only when it fails.
function bitWidth(bits: number): number {
  assert(Number.isInteger(bits) && bits >= 2 && bits <= 16, 'QT_INVALID_BIT_WIDTH', () => `bits: expected an integer in 2..16, got ${bits}`, {
    argument: 'bits',
  });
  return bits;
}

try {
  bitWidth(17);
} catch (e) {
  // Branch on the code, never on the message; details name what caused it.
  if (e instanceof QuantTrimError && e.code === ErrorCodes.QT_INVALID_BIT_WIDTH) console.log(`${e.code}: ${e.message} (${JSON.stringify(e.details)})`);
  console.log(`guard: ${isQuantTrimError(e, 'QT_INVALID_BIT_WIDTH')}`);
}
