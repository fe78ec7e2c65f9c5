import * as tf from '@tensorflow/tfjs';
import { computeQParams, computeRanges, createScheme } from '@quant-trim/quant-grid';
import type { Granularity } from '@quant-trim/quant-grid';
import { errorCode } from '@quant-trim/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { toTensorQParams } from '../../src/ops/toTensorQParams.js';

describe('toTensorQParams', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('shapes typed-array parameters to broadcast against the data', () => {
    const shape = [4, 5, 3];
    const data = Float32Array.from({ length: 60 }, (_, i) => Math.cos(i) * (1 + (i % 7)));
    const cases: [Granularity, number[]][] = [
      [{ kind: 'per-tensor' }, []],
      [{ kind: 'per-channel', axis: 1 }, [1, 5, 1]],
      [{ kind: 'per-channel', axis: -1 }, [1, 1, 3]],
      [{ kind: 'per-group', axis: 1, groupSize: 2 }, [4, 3, 3]],
    ];
    for (const [granularity, expected] of cases) {
      const scheme = createScheme({ bits: 4, symmetric: false, granularity });
      const qp = computeQParams(computeRanges(data, shape, granularity), scheme);
      const { scale, zeroPoint } = toTensorQParams(qp, scheme, shape);
      expect(scale.shape).toEqual(expected);
      expect(zeroPoint.shape).toEqual(expected);
      expect(scale.dtype).toBe('float32');
      expect(zeroPoint.dtype).toBe('float32');
      expect(Array.from(scale.dataSync())).toEqual(Array.from(qp.scale));
      expect(Array.from(zeroPoint.dataSync())).toEqual(Array.from(qp.zeroPoint));
      qp.scale[0] = 123; // the tensors hold copies
      expect(scale.dataSync()[0]).not.toBe(123);
      tf.dispose([scale, zeroPoint]);
    }
  });

  it('validates like quant-grid and names the argument', () => {
    const scheme = createScheme({ bits: 8, granularity: { kind: 'per-channel', axis: 0 } });
    const qp = { scale: new Float32Array([0.1, 0.2]), zeroPoint: new Int32Array(2), shape: [2] };
    expect(errorCode(() => toTensorQParams(qp, scheme, [3, 4]))).toBe('QT_INVALID_QPARAMS');
    expect(errorCode(() => toTensorQParams({ ...qp, scale: new Float32Array([0.1, -1]) }, scheme, [2, 4]))).toBe('QT_INVALID_QPARAMS');
    expect(errorCode(() => toTensorQParams(qp, scheme, [2, 4.5]))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => toTensorQParams(qp, scheme, [2]))).toBe('none');
    expect(errorCode(() => toTensorQParams({ scale: tf.ones([2]), zeroPoint: tf.zeros([2]) } as never, scheme, [2, 4]))).toBe('QT_INVALID_QPARAMS');
    expect(() => toTensorQParams(qp, scheme, [3, 4])).toThrowError(
      /^argument `qparams` of `toTensorQParams`: per-channel over x of shape \[3, 4\] needs 3 scale\/zero-point pairs, got 2\/2$/,
    );
  });
});
