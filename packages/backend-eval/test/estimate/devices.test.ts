import { isQuantTrimError } from '@quant-trim/errors';
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
    // Every device prices a per-inference overhead, and says where the figure comes from (or that it is assumed).
    expect(d.overheadMs).toBeGreaterThan(0);
    expect(d.sources?.overheadMs).toMatch(URL);
    if (d.linkGBps !== undefined) expect(d.sources?.linkGBps).toMatch(URL);
    if (d.host !== undefined) {
      expect(d.host.name.length).toBeGreaterThan(0);
      for (const key of ['precisionTops', 'memoryGBps'] as const) expect(d.host.sources?.[key]).toMatch(URL);
      expect(Object.isFrozen(d.host)).toBe(true);
    }
    expect(Object.isFrozen(d)).toBe(true);
  });

  it('gives a host to every accelerator that cannot run float itself, and a link to those on USB / PCIe', () => {
    const hosted = all
      .filter((p) => p.device?.host !== undefined)
      .map((p) => p.id)
      .sort();
    expect(hosted).toEqual(['coreml-weight-only', 'edgetpu-strict', 'hailo8-w4a8', 'qnn-htp-w8a16', 'qnn-htp-w8a8-tfe', 'rknn-mmse', 'vitis-dpu-pow2']);
    const linked = all
      .filter((p) => p.device?.linkGBps !== undefined)
      .map((p) => p.id)
      .sort();
    expect(linked).toEqual(['edgetpu-strict', 'hailo8-w4a8']);
    // Edge TPU's cpu-int8 fallback runs integer kernels on its host: the host needs an INT8 rate.
    expect(builtinProfiles['edgetpu-strict'].device!.host!.tops).toBeGreaterThan(0);
  });

  it('rejects a bad host, link or overhead with QT_INVALID_PROFILE naming the path', () => {
    const bad = (edit: (device: Record<string, unknown>) => void) => {
      const profile = JSON.parse(JSON.stringify(builtinProfiles['edgetpu-strict']));
      edit(profile.device);
      try {
        validateProfile(profile);
      } catch (e) {
        return isQuantTrimError(e, 'QT_INVALID_PROFILE') ? (e as Error).message : 'other';
      }
      return 'accepted';
    };
    expect(bad((d) => (d.overheadMs = -1))).toMatch(/^profiles\.edgetpu-strict\.device\.overheadMs: expected a number ≥ 0/);
    expect(bad((d) => (d.linkGBps = 0))).toMatch(/^profiles\.edgetpu-strict\.device\.linkGBps: expected a positive number/);
    expect(bad((d) => ((d.host as Record<string, unknown>).watts = 3))).toMatch(/^profiles\.edgetpu-strict\.device\.host/);
    expect(bad((d) => delete (d.host as Record<string, unknown>).name)).toMatch(/^profiles\.edgetpu-strict\.device\.host\.name/);
    expect(bad((d) => delete d.linkGBps)).toMatch(/^profiles\.edgetpu-strict\.device\.sources\.linkGBps: names no figure/);
    expect(bad((d) => ((d.host as { sources: Record<string, string> }).sources.tops = 'no url here'))).toMatch(
      /^profiles\.edgetpu-strict\.device\.host\.sources\.tops/,
    );
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
