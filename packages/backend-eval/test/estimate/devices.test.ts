import { isQuantTrimError } from '@quant-trim/internal';
import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../src/estimate/estimateCost.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import type { BackendProfile } from '../../src/profiles/types.js';
import { validateProfile } from '../../src/profiles/validateProfile.js';

const all = Object.values(builtinProfiles) as BackendProfile[];
const URL = /https?:\/\/\S+/;

describe('built-in devices', () => {
  it.each(all.map((p) => [p.id, p] as const))('%s has a device with sourced, positive figures', (_id, profile) => {
    const d = profile.device!;
    expect(d).toBeDefined();
    expect(d.name.length).toBeGreaterThan(0);
    expect(d.source).toMatch(/^https:\/\//);
    for (const key of ['tops', 'watts', 'priceUsd'] as const) {
      expect(d[key]).toBeGreaterThan(0);
      expect(d.sources?.[key]).toMatch(URL);
    }
    if (d.memoryGBps !== undefined) expect(d.sources?.memoryGBps).toMatch(URL);
    if (d.utilization !== undefined) expect(d.utilization).toBeLessThanOrEqual(1);
    for (const tops of Object.values(d.precisionTops ?? {})) expect(tops).toBeGreaterThan(0);
    if (d.precisionTops) expect(d.sources?.precisionTops).toMatch(URL);
    expect(Object.isFrozen(d)).toBe(true);
  });

  it('gives finite, positive estimates on every built-in device', () => {
    const macs = [{ node: 'conv', opType: 'Conv', macs: 300e6, weightElements: 3.5e6, outputElements: 1e6 }];
    for (const profile of all) {
      for (const precision of ['int8', 'float16'] as const) {
        const est = estimateCost({ macs, precisionOf: () => precision, weightBytes: 3.5e6, activationBytes: 4e6, device: profile.device! });
        for (const v of [est.energyMicrojoules, est.latencyMs, est.costUsdPerMillion]) {
          expect(Number.isFinite(v) && v > 0).toBe(true);
        }
      }
    }
  });

  it('rejects a bad device field with QT_INVALID_PROFILE naming the path', () => {
    const profile = JSON.parse(JSON.stringify(builtinProfiles['hailo8-w4a8']));
    profile.device.watts = -2.5;
    try {
      validateProfile(profile);
      expect.unreachable();
    } catch (e) {
      expect(isQuantTrimError(e, 'QT_INVALID_PROFILE')).toBe(true);
      expect((e as Error).message).toMatch(/^profiles\.hailo8-w4a8\.device\.watts: expected a positive number/);
    }
  });
});
