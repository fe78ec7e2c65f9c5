import { QuantTrimError } from '@quant-trim/errors';
import type { QuantScheme } from '../scheme.js';
import { checkInteger } from './checks.js';
import { layoutFor } from './checkQParams.js';
import type { QParams } from './computeQParams.js';
import { forEachRun } from './layout.js';

/**
 * Float values x̂ = fround((q − z) · s) of integer codes (ONNX DequantizeLinear).
 * Codes outside [qmin, qmax] are a `QT_VALUE_OUT_OF_RANGE` error: they cannot come from `scheme`.
 */
export function dequantize(q: ArrayLike<number>, shape: readonly number[], qparams: QParams, scheme: QuantScheme, out?: Float32Array): Float32Array {
  checkInteger('dequantize', 'q', q);
  const layout = layoutFor('dequantize', q.length, shape, qparams, scheme);
  const result = out ?? new Float32Array(q.length);
  if (!(result instanceof Float32Array) || result.length !== q.length) {
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `argument \`out\` of \`dequantize\`: expected a Float32Array of length ${q.length}` });
  }
  const { qmin, qmax } = scheme;
  const { scale, zeroPoint } = qparams;
  forEachRun(layout, (offset, stride, length, p) => {
    const s = scale[p]!;
    const z = zeroPoint[p]!;
    for (let j = 0, i = offset; j < length; j++, i += stride) {
      const v = q[i]!;
      if (v < qmin || v > qmax || !Number.isInteger(v)) {
        throw new QuantTrimError({ code: 'QT_VALUE_OUT_OF_RANGE', message: `argument \`q\` of \`dequantize\`: q[${i}] = ${v} is outside [${qmin}, ${qmax}]` });
      }
      result[i] = (v - z) * s;
    }
  });
  return result;
}
