import * as tf from '@tensorflow/tfjs';
import { Histogram, HistogramCalibrator, type SchemeOptions, defaultRegistry, schemeToJSON } from '@quant-trim/quant-grid';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CalibratorRandomizationConfig,
  FakeQuant,
  QuantState,
  fakeQuantize,
  isQuantTrimError,
  quantizeModel,
  tensorQParamsFromRange,
} from '../src/index.js';
import { randomBatch, referenceCnn } from './models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const scheme = defaultRegistry.scheme('uint8-asym-per-tensor');

/** A post-ReLU-like batch with a sparse tail, different per step. */
function batch(step: number): tf.Tensor {
  return tf.tidy(() => {
    const x = randomBatch([16, 64], 500 + step);
    return tf.relu(x).pow(3);
  });
}

function point(config: CalibratorRandomizationConfig, name = 'act'): { fq: FakeQuant; state: QuantState } {
  const fq = new FakeQuant({ name, scheme: schemeToJSON(scheme), observer: { randomCalibration: config } });
  const state = new QuantState(1);
  fq.quantState = state;
  return { fq, state };
}

/** The calibrator labels a point uses over `steps` training steps. */
function choices(config: CalibratorRandomizationConfig, steps: number, name = 'act'): string[] {
  const { fq, state } = point(config, name);
  const out: string[] = [];
  for (let s = 0; s < steps; s++) {
    state.step = s;
    const x = batch(s);
    fq.apply(x, { training: true });
    const r = fq.quantizer.randomizer!;
    out.push(r.labels[r.choice(s, fq.quantizer.salt)]!);
  }
  return out;
}

describe('calibrator randomisation', () => {
  it("each step quantizes with the chosen calibrator's range, computed by quant-grid on the running histogram", () => {
    const { fq, state } = point({ observeEvery: 1, refreshEvery: 1 });
    const r = fq.quantizer.randomizer!;
    expect(r.labels).toEqual(['minmax', 'percentile', 'entropy', 'mse', 'sqnr']);
    const seen = new Set<string>();
    for (let s = 0; s < 12; s++) {
      state.step = s;
      const x = batch(s);
      const y = fq.apply(x, { training: true }) as tf.Tensor;
      // observe and refresh every step: the histogram is exactly this batch (1024 values ≤ sampleSize).
      const h = new Histogram(2048);
      h.observe(x.dataSync() as Float32Array);
      const label = r.labels[r.choice(s, fq.quantizer.salt)]!;
      seen.add(label);
      let expected: [number, number];
      if (label === 'minmax') {
        expected = [h.min, h.max];
      } else {
        const c = defaultRegistry.calibratorDefinition(label).create(label === 'percentile' ? { percentile: 99.99 } : {});
        expect(c).toBeInstanceOf(HistogramCalibrator);
        expected = (c as HistogramCalibrator<never>).rangeForHistogram(h, scheme);
      }
      expect(r.ranges()![r.choice(s, fq.quantizer.salt)]).toEqual(expected);
      const want = tf.tidy(() => fakeQuantize(x, tensorQParamsFromRange(tf.scalar(expected[0]), tf.scalar(expected[1]), scheme), scheme));
      expect(Array.from(y.dataSync())).toEqual(Array.from(want.dataSync()));
    }
    expect(seen.size).toBeGreaterThanOrEqual(3);
    // Inference keeps the EMA observer's range (what is exported).
    state.step = 99;
    const x = batch(99);
    const inference = fq.apply(x, { training: false }) as tf.Tensor;
    const { min, max } = fq.range();
    const viaObserver = tf.tidy(() => fakeQuantize(x, tensorQParamsFromRange(tf.scalar(min[0]!), tf.scalar(max[0]!), scheme), scheme));
    expect(Array.from(inference.dataSync())).toEqual(Array.from(viaObserver.dataSync()));
  });

  it('the choice is deterministic per (seed, step, quantizer) and differs across seeds and quantizers', () => {
    const a = choices({ seed: 1, refreshEvery: 4 }, 40);
    const b = choices({ seed: 1, refreshEvery: 4 }, 40);
    const c = choices({ seed: 2, refreshEvery: 4 }, 40);
    const d = choices({ seed: 1, refreshEvery: 4 }, 40, 'other');
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(d).not.toEqual(a);
    expect(new Set(a).size).toBe(5);
  });

  it('observes every observeEvery steps, refreshes the ranges every refreshEvery steps and then restarts the histogram; its state round-trips through JSON', () => {
    const { fq, state } = point({ observeEvery: 3, refreshEvery: 6 });
    const r = fq.quantizer.randomizer!;
    const totals: number[] = [];
    for (let s = 0; s < 10; s++) {
      state.step = s;
      fq.apply(batch(s), { training: true });
      totals.push(r.toJSON().histogram!.total);
    }
    // Observations at 0, 3, 6, 9; refreshes at 0 and 6, each followed by a new histogram.
    expect(totals).toEqual([1024, 1024, 1024, 1024, 1024, 1024, 2048, 2048, 2048, 1024]);
    const saved = fq.quantizer.calibratorState()!;
    const copy = point({ observeEvery: 3, refreshEvery: 6 });
    copy.fq.quantizer.loadCalibratorState(JSON.parse(JSON.stringify(saved)));
    expect(copy.fq.quantizer.randomizer!.toJSON()).toEqual(r.toJSON());
    expect(copy.fq.quantizer.randomizer!.ranges()).toEqual(r.ranges());
  });

  it('quantizeModel passes it to every activation quantizer', () => {
    const q = quantizeModel(referenceCnn(), { observer: { randomCalibration: { seed: 3 } } });
    const points = q.fakeQuantLayers();
    expect(points.length).toBeGreaterThan(1);
    for (const fq of points) expect(fq.quantizer.randomizer?.seed).toBe(3);
    expect(new Set(points.map((p) => p.quantizer.salt)).size).toBe(points.length);
    q.dispose();
  });

  it('validates its options with coded errors naming the field', () => {
    const bad = (randomCalibration: unknown, granularity?: unknown) => {
      try {
        new FakeQuant({
          scheme: { ...schemeToJSON(scheme), ...(granularity ? { granularity } : {}) } as SchemeOptions,
          observer: { randomCalibration: randomCalibration as CalibratorRandomizationConfig },
        });
      } catch (e) {
        return isQuantTrimError(e) ? `${e.code} ${e.message.split(':')[0]}` : String(e);
      }
      return 'none';
    };
    expect(bad({ calibrators: [] })).toBe('QT_INVALID_ARGUMENT observer.randomCalibration.calibrators');
    expect(bad({ calibrators: ['ema-minmax'] })).toBe('QT_INVALID_ARGUMENT observer.randomCalibration.calibrators.0');
    expect(bad({ calibrators: ['nope'] })).toBe('QT_INVALID_ARGUMENT observer.randomCalibration.calibrators.0');
    expect(bad({ refreshEvery: 0 })).toBe('QT_INVALID_ARGUMENT observer.randomCalibration.refreshEvery');
    expect(bad({}, { kind: 'per-channel', axis: -1 })).toBe('QT_INVALID_ARGUMENT observer.randomCalibration');
  });
});
