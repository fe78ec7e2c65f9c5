import type { QParams, QuantScheme } from '@quant-trim/quant-grid';
import type { TensorQParams } from '../types.js';
import { checkScheme, fail } from './checks.js';
import { resolveQParams, typedToTensors } from './qparamsInput.js';
import { tensorLayout } from './tensorLayout.js';

/**
 * quant-grid's typed-array parameters as float32 tensors shaped to broadcast against data of
 * `xShape`: [] per-tensor, [1, …, C, …, 1] per-channel, the blocked parameter shape per-group
 * (which `fakeQuantize` expands). `qparams` is validated like quant-grid's `fakeQuantize` does.
 * The caller owns (and disposes) the returned tensors.
 *
 * @example
 * const qp = computeQParams(computeRanges(data, [4, 3], scheme.granularity), scheme);
 * const tqp = toTensorQParams(qp, scheme, [4, 3]);
 */
export function toTensorQParams(qparams: QParams, scheme: QuantScheme, xShape: readonly number[]): TensorQParams {
  const fn = 'toTensorQParams';
  checkScheme(fn, scheme);
  if (!Array.isArray(xShape) || xShape.some((d) => !Number.isInteger(d) || d < 0)) {
    fail('QT_INVALID_ARGUMENT', fn, 'xShape', `expected an array of non-negative integers, got ${JSON.stringify(xShape)}`);
  }
  const layout = tensorLayout(fn, 'scheme.granularity', xShape, scheme.granularity);
  const resolved = resolveQParams(fn, qparams, scheme, layout, xShape);
  if (resolved.kind !== 'typed') fail('QT_INVALID_QPARAMS', fn, 'qparams', 'expected typed arrays (quant-grid QParams), got tensors');
  return typedToTensors(resolved.scale, resolved.zeroPoint, layout.broadcastShape);
}
