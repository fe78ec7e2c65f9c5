import * as tf from '../tf.js';
import type { QuantScheme } from '@quant-trim/quant-grid';
import type { TensorQParams } from '../types.js';
import { describe, fail, shapeString } from './checks.js';
import { type TensorLayout, acceptsParamShape, expectedParamShapes } from './tensorLayout.js';

/** @internal Scale and zero point resolved for a layout: tensors (the caller's) or typed arrays (validated). */
export type ResolvedQParams =
  | { readonly kind: 'tensor'; readonly scale: tf.Tensor; readonly zeroPoint: tf.Tensor }
  | { readonly kind: 'typed'; readonly scale: Float32Array; readonly zeroPoint: Int32Array };

function checkParamTensor(fn: string, arg: string, t: unknown, layout: TensorLayout, xShape: readonly number[]): asserts t is tf.Tensor {
  if (!(t instanceof tf.Tensor)) fail('QT_INVALID_QPARAMS', fn, arg, `expected a float32 tf.Tensor, got ${describe(t)}`);
  if (t.isDisposed) fail('QT_INVALID_QPARAMS', fn, arg, 'the tensor is disposed');
  if (t.dtype !== 'float32') fail('QT_INVALID_QPARAMS', fn, arg, `expected float32, got ${t.dtype}`);
  if (!acceptsParamShape(layout, t.shape)) {
    const where = layout.kind === 'per-tensor' ? 'per-tensor' : `${layout.kind} on axis ${layout.axis}`;
    fail(
      'QT_INVALID_QPARAMS',
      fn,
      arg,
      `${where} over x of shape ${shapeString(xShape)} needs shape ${expectedParamShapes(layout)}, got ${shapeString(t.shape)}`,
    );
  }
}

/**
 * @internal Validates `qparams` against the data shape and scheme.
 * - quant-grid `QParams` (typed arrays): one pair per parameter group, every scale finite and
 *   > 0, every zero point in [qmin, qmax] (the checks of quant-grid's `fakeQuantize`).
 * - `TensorQParams`: float32 tensors whose shapes fit the granularity (see `acceptsParamShape`).
 *   Their values stay on the device and are not read: a scale ≤ 0 or a fractional or
 *   out-of-range zero point is the caller's responsibility.
 */
export function resolveQParams(fn: string, qparams: unknown, scheme: QuantScheme, layout: TensorLayout, xShape: readonly number[]): ResolvedQParams {
  const qp = qparams as Partial<{ scale: unknown; zeroPoint: unknown }> | null;
  if (typeof qp !== 'object' || qp === null)
    fail('QT_INVALID_QPARAMS', fn, 'qparams', `expected { scale, zeroPoint } as tensors or typed arrays, got ${describe(qparams)}`);
  if (qp.scale instanceof tf.Tensor || qp.zeroPoint instanceof tf.Tensor) {
    checkParamTensor(fn, 'qparams.scale', qp.scale, layout, xShape);
    checkParamTensor(fn, 'qparams.zeroPoint', qp.zeroPoint, layout, xShape);
    return { kind: 'tensor', scale: qp.scale, zeroPoint: qp.zeroPoint };
  }
  if (!(qp.scale instanceof Float32Array) || !(qp.zeroPoint instanceof Int32Array)) {
    fail(
      'QT_INVALID_QPARAMS',
      fn,
      'qparams',
      `expected { scale: Float32Array, zeroPoint: Int32Array } or { scale: tf.Tensor, zeroPoint: tf.Tensor }, got scale ${describe(qp.scale)} and zeroPoint ${describe(qp.zeroPoint)}`,
    );
  }
  const { scale, zeroPoint } = qp;
  if (scale.length !== layout.count || zeroPoint.length !== layout.count) {
    fail(
      'QT_INVALID_QPARAMS',
      fn,
      'qparams',
      `${layout.kind} over x of shape ${shapeString(xShape)} needs ${layout.count} scale/zero-point pairs, got ${scale.length}/${zeroPoint.length}`,
    );
  }
  for (let p = 0; p < layout.count; p++) {
    const s = scale[p]!;
    const z = zeroPoint[p]!;
    if (!(s > 0) || !Number.isFinite(s)) fail('QT_INVALID_QPARAMS', fn, `qparams.scale[${p}]`, `expected a finite scale > 0, got ${s}`);
    if (z < scheme.qmin || z > scheme.qmax) fail('QT_INVALID_QPARAMS', fn, `qparams.zeroPoint[${p}]`, `${z} is outside [${scheme.qmin}, ${scheme.qmax}]`);
  }
  return { kind: 'typed', scale, zeroPoint };
}

/** @internal Typed-array parameters as float32 tensors of `shape` (copies, so later edits to the arrays change nothing). */
export function typedToTensors(scale: Float32Array, zeroPoint: Int32Array, shape: readonly number[]): TensorQParams {
  return {
    scale: tf.tensor(Float32Array.from(scale), shape as number[], 'float32'),
    zeroPoint: tf.tensor(Float32Array.from(zeroPoint), shape as number[], 'float32'),
  };
}
