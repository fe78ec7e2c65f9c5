import * as tf from '@tensorflow/tfjs';
import { createScheme, fakeQuantize as gridFakeQuantize, groupLayout, roundWith } from '@quant-trim/quant-grid';
import type { Granularity, QParams, QuantScheme, RoundingMode, SchemeOptions } from '@quant-trim/quant-grid';
import { errorCode, mulberry32 } from '@quant-trim/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeQuantize } from '../../src/ops/fakeQuantize.js';
import { tensorQParamsFromRange } from '../../src/ops/tensorQParamsFromRange.js';
import { tensorRanges } from '../../src/ops/tensorRanges.js';
import { paramIndex, useBackend } from './opsTestKit.testkit.js';

const BACKENDS = ['cpu', 'wasm'] as const;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** The float32 neighbour of v (v a float32), `dir` = ±1. */
function nextFloat(v: number, dir: 1 | -1): number {
  if (v === 0) return dir * 1.4e-45;
  f32[0] = v;
  u32[0]! += v > 0 === dir > 0 ? 1 : -1;
  return f32[0]!;
}

interface Case {
  x: Float32Array;
  qparams: QParams;
  ties: number;
}

/** Random scales (float or powers of two) and zero points, and data full of edge cases. */
function makeCase(shape: number[], scheme: QuantScheme, seed: number, pow2: boolean): Case {
  const rand = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const layout = groupLayout(shape, scheme.granularity);
  const scale = new Float32Array(layout.count);
  const zeroPoint = new Int32Array(layout.count);
  for (let p = 0; p < layout.count; p++) {
    scale[p] = pow2 ? 2 ** int(-12, 3) : Math.exp(Math.log(1e-3) + rand() * Math.log(1e4));
    zeroPoint[p] = scheme.symmetric ? 0 : int(scheme.qmin, scheme.qmax);
  }
  const idx = paramIndex(shape, scheme.granularity);
  const x = new Float32Array(idx.length);
  const specials = [0, -0, NaN, Infinity, -Infinity, 1e30, -1e30, 3.4e38, -3.4e38, 1e-40, -1e-40, 1e-45, -1e-45];
  let ties = 0;
  for (let i = 0; i < x.length; i++) {
    const s = scale[idx[i]!]!;
    const z = zeroPoint[idx[i]!]!;
    const lo = scheme.qmin - z;
    const hi = scheme.qmax - z;
    const kind = rand();
    const k = int(lo - 2, hi + 1);
    let v: number;
    if (kind < 0.3) v = (lo - 2 + rand() * (hi - lo + 4)) * s;
    else if (kind < 0.55)
      v = (k + 0.5) * s; // exact .5 ties (always exact for pow2 scales)
    else if (kind < 0.7) v = nextFloat(Math.fround((k + 0.5) * s), rand() < 0.5 ? 1 : -1);
    else if (kind < 0.78)
      v = (rand() < 0.5 ? -1 : 1) * Math.fround(0.5 - 2 ** -25) * s * (rand() < 0.5 ? 1 : 3); // 0.49999997 and friends
    else if (kind < 0.84)
      v = (rand() < 0.5 ? lo : hi) * s * (1 + (rand() - 0.5) * 1e-6); // at the clamp edges
    else if (kind < 0.92) v = specials[int(0, specials.length - 1)]!;
    else v = (rand() < 0.5 ? -1 : 1) * (hi - lo + 1) * s * (1 + rand() * 1e3); // far out of range
    x[i] = v;
    const q = Math.fround(x[i]! / s);
    if (Math.abs(q - Math.floor(q) - 0.5) === 0 && Number.isFinite(q)) ties++;
  }
  return { x, qparams: { scale, zeroPoint, shape: layout.paramShape }, ties };
}

/** Indices where two float32 arrays differ in bits (so −0 vs +0 and NaN payloads count). */
function bitMismatches(a: Float32Array, b: Float32Array): number[] {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let i = 0; i < a.length && out.length < 5; i++) if (ua[i] !== ub[i]) out.push(i);
  return out;
}

const SHAPE = [6, 5, 7];
const GRANULARITIES: Granularity[] = [
  { kind: 'per-tensor' },
  { kind: 'per-channel', axis: 0 },
  { kind: 'per-channel', axis: 1 },
  { kind: 'per-channel', axis: -1 },
  { kind: 'per-group', axis: 0, groupSize: 3 }, // 6 = 2 × 3
  { kind: 'per-group', axis: 1, groupSize: 2 }, // 5 = 2 + 2 + 1
  { kind: 'per-group', axis: -1, groupSize: 3 }, // 7 = 3 + 3 + 1
  { kind: 'per-group', axis: 2, groupSize: 16 }, // one short group
];
const ROUNDINGS: RoundingMode[] = ['half-even', 'half-away', 'half-up', 'floor'];
const GRIDS: SchemeOptions[] = [
  { signed: true, symmetric: true },
  { signed: true, symmetric: true, narrowRange: true },
  { signed: true, symmetric: false },
  { signed: true, symmetric: false, narrowRange: true },
  { signed: false, symmetric: true },
  { signed: false, symmetric: false },
];

/** The TensorQParams shapes accepted besides quant-grid's parameter shape. */
function broadcastShape(shape: number[], granularity: Granularity, paramShape: readonly number[]): number[] {
  if (granularity.kind !== 'per-channel') return [...paramShape];
  const axis = granularity.axis < 0 ? granularity.axis + shape.length : granularity.axis;
  return shape.map((d, i) => (i === axis ? d : 1));
}

for (const backend of BACKENDS) {
  describe(`fakeQuantize forward on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('equals quant-grid bit for bit: every granularity, 2–16 bits, every grid and rounding rule, edge-case data', () => {
      let configs = 0;
      let ties = 0;
      let seed = 1;
      for (const granularity of GRANULARITIES) {
        for (const bits of [2, 4, 8, 12, 16]) {
          for (const grid of GRIDS) {
            for (const rounding of ROUNDINGS) {
              for (const pow2 of [false, true]) {
                const scheme = createScheme({ ...grid, bits, rounding, granularity });
                const c = makeCase(SHAPE, scheme, seed++, pow2);
                ties += c.ties;
                const expected = gridFakeQuantize(c.x, SHAPE, c.qparams, scheme);
                const label = `${JSON.stringify(granularity)} bits ${bits} ${JSON.stringify(grid)} ${rounding} pow2 ${pow2}`;
                const x = tf.tensor(c.x, SHAPE);
                const fromTyped = tf.tidy(() => fakeQuantize(x, c.qparams, scheme));
                // Tensor parameters, alternately in quant-grid's shape and in the broadcastable one.
                const shape = configs % 2 === 0 ? [...c.qparams.shape] : broadcastShape(SHAPE, granularity, c.qparams.shape);
                const scale = tf.tensor(c.qparams.scale, shape);
                const zeroPoint = tf.tensor(Float32Array.from(c.qparams.zeroPoint), shape);
                const fromTensors = tf.tidy(() => fakeQuantize(x, { scale, zeroPoint }, scheme));
                for (const [what, t] of [
                  ['typed qparams', fromTyped],
                  ['tensor qparams', fromTensors],
                ] as const) {
                  expect(t.shape, label).toEqual(SHAPE);
                  const got = t.dataSync() as Float32Array;
                  const bad = bitMismatches(got, expected);
                  if (bad.length > 0) {
                    const i = bad[0]!;
                    expect.fail(
                      `${label} (${what}): element ${i}: x = ${c.x[i]}, got ${Object.is(got[i], -0) ? '-0' : got[i]}, expected ${Object.is(expected[i], -0) ? '-0' : expected[i]}`,
                    );
                  }
                }
                tf.dispose([x, fromTyped, fromTensors, scale, zeroPoint]);
                configs++;
              }
            }
          }
        }
      }
      expect(configs).toBe(GRANULARITIES.length * 5 * GRIDS.length * ROUNDINGS.length * 2);
      expect(ties).toBeGreaterThan(configs * 20); // the data really holds exact .5 ties
    });

    it('equals quant-grid on large tensors (SIMD-sized runs on both sides)', () => {
      const shape = [64, 3, 33];
      for (const granularity of [{ kind: 'per-tensor' }, { kind: 'per-channel', axis: 1 }, { kind: 'per-group', axis: 0, groupSize: 10 }] as Granularity[]) {
        for (const rounding of ROUNDINGS) {
          const scheme = createScheme({ bits: 8, symmetric: false, rounding, granularity });
          const c = makeCase(shape, scheme, 99, true);
          const x = tf.tensor(c.x, shape);
          const y = fakeQuantize(x, c.qparams, scheme);
          expect(bitMismatches(y.dataSync() as Float32Array, gridFakeQuantize(c.x, shape, c.qparams, scheme))).toEqual([]);
          tf.dispose([x, y]);
        }
      }
    });

    it('maps NaN to qmin, clamps ±Infinity and turns −0 into +0', () => {
      const scheme = createScheme({ bits: 8, signed: false, symmetric: false });
      const qparams: QParams = { scale: new Float32Array([0.5]), zeroPoint: new Int32Array([10]), shape: [] };
      const x = tf.tensor1d([NaN, Infinity, -Infinity, -0, -0.1, 0.1]);
      const y = Array.from(fakeQuantize(x, qparams, scheme).dataSync());
      expect(y.slice(0, 3)).toEqual([(0 - 10) * 0.5, (255 - 10) * 0.5, (0 - 10) * 0.5]);
      for (const v of y.slice(3)) expect(Object.is(v, 0)).toBe(true);
      // Symmetric zero point 0: −0.3 rounds to −0 in tfjs before the zero point is added back.
      const sym = createScheme({ bits: 4, rounding: 'half-away' });
      const r = fakeQuantize(tf.tensor1d([-0.3, -0]), { scale: new Float32Array([1]), zeroPoint: new Int32Array([0]), shape: [] }, sym).dataSync();
      expect(Object.is(r[0], 0) && Object.is(r[1], 0)).toBe(true);
      x.dispose();
    });

    it('rounds exact ties and their neighbours by each rule (including 0.49999997)', () => {
      const v = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, Math.fround(0.5 - 2 ** -25), -Math.fround(0.5 - 2 ** -25), Math.fround(1.5 - 2 ** -23), 3.5];
      const expected: Record<RoundingMode, number[]> = {
        'half-even': [0, 2, 2, 0, -2, -2, 0, 0, 1, 4],
        'half-away': [1, 2, 3, -1, -2, -3, 0, 0, 1, 4],
        'half-up': [1, 2, 3, 0, -1, -2, 0, 0, 1, 4],
        floor: [0, 1, 2, -1, -2, -3, 0, -1, 1, 3],
      };
      for (const rounding of ROUNDINGS) {
        const scheme = createScheme({ bits: 8, rounding });
        expect(v.map((t) => roundWith(rounding, t))).toEqual(expected[rounding]); // the table is quant-grid's
        const y = tf.tidy(() => fakeQuantize(tf.tensor1d(v), { scale: new Float32Array([1]), zeroPoint: new Int32Array([0]), shape: [] }, scheme).dataSync());
        expect(Array.from(y), rounding).toEqual(expected[rounding]);
      }
    });

    it('leaves no tensor behind and never reads a tensor back (no dataSync, data, array, buffer)', () => {
      const scheme = createScheme({ bits: 4, symmetric: false, rounding: 'half-away', granularity: { kind: 'per-group', axis: 1, groupSize: 3 } });
      const x = tf.randomNormal([4, 7]);
      const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
      const methods = ['dataSync', 'data', 'arraySync', 'array', 'bufferSync', 'buffer'];
      const originals = methods.map((m) => proto[m]!);
      let reads = 0;
      methods.forEach((m, i) => {
        proto[m] = function (this: unknown, ...a: unknown[]) {
          reads++;
          return originals[i]!.apply(this, a);
        };
      });
      const before = tf.memory().numTensors;
      try {
        for (let i = 0; i < 20; i++) {
          tf.tidy(() => {
            const { min, max } = tensorRanges(x, scheme.granularity);
            const qparams = tensorQParamsFromRange(min, max, scheme);
            tf.grads((a: tf.Tensor, s: tf.Tensor, z: tf.Tensor) => fakeQuantize(a, { scale: s, zeroPoint: z }, scheme, { gradient: 'lsq' }))([
              x,
              qparams.scale,
              qparams.zeroPoint,
            ]);
          });
        }
        const y = fakeQuantize(x, { scale: new Float32Array(12).fill(0.1), zeroPoint: new Int32Array(12), shape: [4, 3] }, scheme);
        expect(reads).toBe(0);
        expect(tf.memory().numTensors).toBe(before + 1);
        y.dispose();
      } finally {
        methods.forEach((m, i) => (proto[m] = originals[i]!));
      }
      x.dispose();
    });
  });
}

describe('fakeQuantize validation', () => {
  beforeAll(() => useBackend('cpu'));
  const scheme = createScheme({ bits: 8, granularity: { kind: 'per-channel', axis: 1 } });
  const typed = (n: number): QParams => ({ scale: new Float32Array(n).fill(0.1), zeroPoint: new Int32Array(n), shape: [n] });

  it('names the argument and uses stable codes', () => {
    const x = tf.zeros([2, 3]);
    const message = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(errorCode(() => fakeQuantize(tf.zeros([2, 3], 'int32'), typed(3), scheme))).toBe('QT_INVALID_ARGUMENT');
    expect(message(() => fakeQuantize(tf.zeros([2, 3], 'int32'), typed(3), scheme))).toBe('argument `x` of `fakeQuantize`: expected float32, got int32');
    expect(errorCode(() => fakeQuantize([1, 2] as never, typed(3), scheme))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => fakeQuantize(x, typed(2), scheme))).toBe('QT_INVALID_QPARAMS');
    expect(message(() => fakeQuantize(x, typed(2), scheme))).toMatch(/^argument `qparams` of `fakeQuantize`: per-channel over x of shape \[2, 3\] needs 3/);
    const badScale = typed(3);
    badScale.scale[1] = 0;
    expect(message(() => fakeQuantize(x, badScale, scheme))).toMatch(/^argument `qparams.scale\[1\]` of `fakeQuantize`/);
    const badZero = typed(3);
    badZero.zeroPoint[2] = 200;
    expect(errorCode(() => fakeQuantize(x, badZero, scheme))).toBe('QT_INVALID_QPARAMS');
    // Tensor parameters: shape checked against the granularity and x.
    const s3 = tf.fill([3], 0.1);
    const z3 = tf.zeros([3]);
    expect(errorCode(() => fakeQuantize(x, { scale: s3, zeroPoint: z3 }, scheme))).toBe('none');
    expect(errorCode(() => fakeQuantize(x, { scale: tf.fill([1, 3], 0.1), zeroPoint: tf.zeros([1, 3]) }, scheme))).toBe('none');
    expect(message(() => fakeQuantize(x, { scale: tf.fill([3, 1], 0.1), zeroPoint: z3 }, scheme))).toBe(
      'argument `qparams.scale` of `fakeQuantize`: per-channel on axis 1 over x of shape [2, 3] needs shape [3] or [1, 3], got [3, 1]',
    );
    expect(errorCode(() => fakeQuantize(x, { scale: s3, zeroPoint: tf.zeros([3], 'int32') }, scheme))).toBe('QT_INVALID_QPARAMS');
    expect(errorCode(() => fakeQuantize(x, { scale: s3, zeroPoint: new Int32Array(3) } as never, scheme))).toBe('QT_INVALID_QPARAMS');
    const group = createScheme({ bits: 4, granularity: { kind: 'per-group', axis: 1, groupSize: 2 } });
    expect(errorCode(() => fakeQuantize(x, { scale: tf.fill([2, 2], 0.1), zeroPoint: tf.zeros([2, 2]) }, group))).toBe('none');
    expect(errorCode(() => fakeQuantize(x, { scale: tf.fill([2, 3], 0.1), zeroPoint: tf.zeros([2, 3]) }, group))).toBe('QT_INVALID_QPARAMS');
    const perTensor = createScheme({ bits: 8 });
    expect(errorCode(() => fakeQuantize(x, { scale: tf.fill([1, 1], 0.1), zeroPoint: tf.zeros([]) }, perTensor))).toBe('none');
    expect(errorCode(() => fakeQuantize(x, { scale: tf.fill([2], 0.1), zeroPoint: tf.zeros([]) }, perTensor))).toBe('QT_INVALID_QPARAMS');
    // Granularity that does not fit x, options, scheme.
    const axis5 = createScheme({ bits: 8, granularity: { kind: 'per-channel', axis: 5 } });
    expect(errorCode(() => fakeQuantize(x, typed(3), axis5))).toBe('QT_INVALID_GRANULARITY');
    expect(message(() => fakeQuantize(x, typed(3), axis5))).toMatch(/^argument `scheme.granularity` of `fakeQuantize`: granularity.axis 5 is out of range/);
    expect(errorCode(() => fakeQuantize(x, typed(3), scheme, { gradient: 'sgd' as never }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => fakeQuantize(x, typed(3), scheme, { gradScale: 0 }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => fakeQuantize(x, typed(3), { bits: 8 } as never))).toBe('QT_INVALID_ARGUMENT');
    const disposed = tf.zeros([2, 3]);
    disposed.dispose();
    expect(message(() => fakeQuantize(disposed, typed(3), scheme))).toBe('argument `x` of `fakeQuantize`: the tensor is disposed');
  });
});
