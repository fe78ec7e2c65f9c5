import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import type { NodeMacs } from '../../src/estimate/countMacs.js';
import { DRAM_PJ_PER_BYTE, MAC_ENERGY_PJ, macEnergyPj } from '../../src/estimate/energyTable.js';
import { DEVICE_LIFETIME_SECONDS, ELECTRICITY_USD_PER_KWH, estimateCost } from '../../src/estimate/estimateCost.js';
import type { DeviceSpec } from '../../src/profiles/types.js';

const node = (name: string, macs: number): NodeMacs => ({ node: name, opType: 'Conv', macs, weightElements: 0, outputElements: 0 });
const NODES = [node('a', 1e6), node('b', 1e5), node('relu', 0)];
const DEVICE: DeviceSpec = {
  name: 'Test NPU',
  tops: 2,
  precisionTops: { float32: 0.1 },
  priceUsd: 100,
  memoryGBps: 1,
  utilization: 0.5,
  source: 'https://example.com/npu',
};
const precisionOf = (n: NodeMacs) => (n.node === 'a' ? 'int8' : 'float32');

describe('energy table', () => {
  it('holds the Horowitz (ISSCC 2014) figures, each with a source', () => {
    expect(MAC_ENERGY_PJ.int8.mult.value).toBe(0.2);
    expect(MAC_ENERGY_PJ.int8.add.value).toBe(0.03);
    expect(MAC_ENERGY_PJ.float16.mult.value).toBe(1.1);
    expect(MAC_ENERGY_PJ.float16.add.value).toBe(0.4);
    expect(MAC_ENERGY_PJ.float32.mult.value).toBe(3.7);
    expect(MAC_ENERGY_PJ.float32.add.value).toBe(0.9);
    expect(DRAM_PJ_PER_BYTE.value).toBe(162.5);
    for (const e of Object.values(MAC_ENERGY_PJ)) {
      for (const v of [e.mult, e.add]) expect(v.source).toContain('https://doi.org/10.1109/ISSCC.2014.6757323');
    }
    expect(MAC_ENERGY_PJ.int4.mult.source).toContain('derived');
    expect(MAC_ENERGY_PJ.int16.mult.source).toContain('derived');
  });

  it('orders MAC energy int4 < int8 < int16 < float16 < float32', () => {
    const e = (['int4', 'int8', 'int16', 'float16', 'float32'] as const).map(macEnergyPj);
    expect([...e].sort((x, y) => x - y)).toEqual(e);
  });
});

describe('estimateCost', () => {
  it('matches a hand computation (memory-bound)', () => {
    const est = estimateCost({ macs: NODES, precisionOf, weightBytes: 1e6, activationBytes: 5e5, device: DEVICE });
    expect(est.device).toBe('Test NPU');
    expect(est.macs).toEqual({ int4: 0, int8: 1e6, int16: 0, float16: 0, float32: 1e5 });
    expect(est.bytesMoved).toBe(1.5e6);
    // 1e6 × (0.2 + 0.03) + 1e5 × (3.7 + 0.9) + 1.5e6 B × 162.5 pJ/B = 244,440,000 pJ
    expect(est.energyMicrojoules).toBeCloseTo(244.44, 9);
    // compute: 2e6 / (2e12 × 0.5) + 2e5 / (0.1e12 × 0.5) = 6 µs; memory: 1.5e6 B / 1e9 B/s = 1.5 ms
    expect(est.latencyMs).toBeCloseTo(1.5, 12);
    // 1e6 × (244.44e-6 J / 3.6e6 × 0.0806 + 100 USD × 1.5e-3 s / (3 × 365 × 86400 s))
    const expected = 1e6 * ((244.44e-6 / 3.6e6) * 0.0806 + (100 * 1.5e-3) / 94_608_000);
    expect(est.costUsdPerMillion).toBeCloseTo(expected, 12);
    expect(est.costUsdPerMillion).toBeCloseTo(1.59096e-3, 7);
  });

  it('is compute-bound without a memory bandwidth, and uses the documented defaults', () => {
    const device: DeviceSpec = { name: 'On-chip NPU', tops: 2 };
    const est = estimateCost({ macs: NODES, precisionOf, weightBytes: 1e6, activationBytes: 5e5, device });
    // float32 default: tops / 8 = 0.25 TOPS; utilization default 0.3
    // compute: 2e6 / (2e12 × 0.3) + 2e5 / (0.25e12 × 0.3) = 3.3333 µs + 2.6667 µs = 6 µs
    expect(est.latencyMs).toBeCloseTo(6e-3, 12);
    // no price: electricity only
    expect(est.costUsdPerMillion).toBeCloseTo(1e6 * (244.44e-6 / 3.6e6) * 0.0806, 15);
    expect(est.assumptions['device.tops.float32']).toMatchObject({ value: 0.25, unit: 'TOPS' });
    expect(est.assumptions['device.tops.float32']!.source).toMatch(/^assumption/);
    expect(est.assumptions['device.utilization']!.value).toBe(0.3);
    expect(est.assumptions['device.priceUsd']).toBeUndefined();
  });

  it('lists every constant it used, each with a source', () => {
    const est = estimateCost({ macs: NODES, precisionOf, weightBytes: 1e6, activationBytes: 5e5, device: DEVICE });
    expect(Object.keys(est.assumptions).sort()).toEqual([
      'device.lifetime',
      'device.memoryGBps',
      'device.priceUsd',
      'device.tops.float32',
      'device.tops.int8',
      'device.utilization',
      'electricity.usdPerKwh',
      'energy.dramPerByte',
      'energy.float32.add',
      'energy.float32.mult',
      'energy.int8.add',
      'energy.int8.mult',
    ]);
    expect(est.assumptions['electricity.usdPerKwh']).toBe(ELECTRICITY_USD_PER_KWH);
    expect(est.assumptions['device.lifetime']).toBe(DEVICE_LIFETIME_SECONDS);
    for (const v of Object.values(est.assumptions)) {
      expect(v.value).toBeGreaterThan(0);
      expect(v.unit.length).toBeGreaterThan(0);
      expect(v.source.length).toBeGreaterThan(0);
    }
  });

  it('spends less energy on int8 than on float32 for the same MACs and bytes', () => {
    const run = (p: 'int8' | 'float32') => estimateCost({ macs: NODES, precisionOf: () => p, weightBytes: 0, activationBytes: 0, device: DEVICE });
    expect(run('int8').energyMicrojoules).toBeLessThan(run('float32').energyMicrojoules);
    expect(run('int8').energyMicrojoules).toBeCloseTo((1.1e6 * 0.23) / 1e6, 12);
  });

  it('rejects a device without TOPS, negative bytes and unknown precisions with QT_INVALID_ARGUMENT', () => {
    const codeOf = (run: () => unknown) => {
      try {
        run();
      } catch (e) {
        return isQuantTrimError(e) ? `${e.code} ${e.message}` : 'other';
      }
      return 'none';
    };
    const base = { macs: NODES, precisionOf, weightBytes: 0, activationBytes: 0, device: DEVICE };
    expect(codeOf(() => estimateCost({ ...base, device: { name: 'x' } }))).toMatch(/^QT_INVALID_ARGUMENT device\.tops:/);
    expect(codeOf(() => estimateCost({ ...base, weightBytes: -1 }))).toMatch(/^QT_INVALID_ARGUMENT weightBytes:/);
    expect(codeOf(() => estimateCost({ ...base, precisionOf: () => 'bf16' as never }))).toMatch(/^QT_INVALID_ARGUMENT precisionOf\(a\):/);
  });
});
