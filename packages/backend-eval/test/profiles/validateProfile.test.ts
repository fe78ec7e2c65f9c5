import { describe, expect, it } from 'vitest';
import { builtinProfiles, isQuantTrimError, validateProfile } from '../../src/index.js';

/** A mutable deep copy of a built-in, to break one field at a time. */
function copy(id: keyof typeof builtinProfiles): Record<string, any> {
  return JSON.parse(JSON.stringify(builtinProfiles[id]));
}

function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isQuantTrimError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a QuantTrimError');
}

const cases: [string, (p: Record<string, any>) => void, string][] = [
  [
    'weight bits',
    (p) => {
      p.weights.bits = 7;
    },
    'profiles.tflite-int8.weights.bits: expected 4, 8 or 16, got 7',
  ],
  [
    'activation bits',
    (p) => {
      p.activations.bits = 4;
    },
    'profiles.tflite-int8.activations.bits: expected 8 or 16, got 4',
  ],
  [
    'rounding enum',
    (p) => {
      p.activations.rounding = 'nearest';
    },
    'profiles.tflite-int8.activations.rounding:',
  ],
  [
    'unknown field (typo)',
    (p) => {
      p.weights.symetric = true;
    },
    'profiles.tflite-int8.weights.symetric: unknown field',
  ],
  [
    'per-group size',
    (p) => {
      p.weights.granularity = { kind: 'per-group', size: 0 };
    },
    'profiles.tflite-int8.weights.granularity.size:',
  ],
  [
    'explicit range outside storage',
    (p) => {
      p.weights.range = [-200, 127];
    },
    'profiles.tflite-int8.weights.range.0:',
  ],
  [
    'narrow on an unsigned grid',
    (p) => {
      p.activations.signed = false;
      p.activations.range = 'narrow';
    },
    'profiles.tflite-int8.activations.range:',
  ],
  [
    'unsignedIfNonNeg on an unsigned grid',
    (p) => {
      p.activations.signed = false;
      p.activations.symmetric = 'unsignedIfNonNeg';
    },
    'profiles.tflite-int8.activations.symmetric:',
  ],
  [
    'samples not an integer',
    (p) => {
      p.calibration.samples = 2.5;
    },
    'profiles.tflite-int8.calibration.samples:',
  ],
  [
    'samples zero',
    (p) => {
      p.calibration.samples = 0;
    },
    'profiles.tflite-int8.calibration.samples:',
  ],
  [
    'unknown calibrator',
    (p) => {
      p.calibration.method = 'magic';
    },
    'profiles.tflite-int8.calibration.method: unknown calibrator "magic"',
  ],
  [
    'static without calibration',
    (p) => {
      p.calibration = { method: 'none', samples: 0 };
    },
    'profiles.tflite-int8.calibration.method: static activations',
  ],
  [
    'dynamic with calibration',
    (p) => {
      p.activationMode = 'dynamic';
    },
    'profiles.tflite-int8.calibration.method: dynamic activations',
  ],
  [
    'no sources',
    (p) => {
      p.sources = [];
    },
    'profiles.tflite-int8.sources: expected a non-empty array',
  ],
  [
    'source without url',
    (p) => {
      p.sources[0].url = 'tensorflow.org';
    },
    'profiles.tflite-int8.sources.0.url:',
  ],
  [
    'fixed output zero point off the grid',
    (p) => {
      p.fixedOutput.Softmax.zeroPoint = 200;
    },
    'profiles.tflite-int8.fixedOutput.Softmax.zeroPoint:',
  ],
  [
    'fixed output scale',
    (p) => {
      p.fixedOutput.Softmax.scale = -1;
    },
    'profiles.tflite-int8.fixedOutput.Softmax.scale:',
  ],
  [
    'op type name',
    (p) => {
      p.ops.supported.push('conv2d');
    },
    'profiles.tflite-int8.ops.supported.18:',
  ],
  [
    'fused pattern',
    (p) => {
      p.fusedActivations = ['Relu'];
    },
    'profiles.tflite-int8.fusedActivations.0:',
  ],
  [
    'fallback policy',
    (p) => {
      p.fallback.policy = 'whole-graph';
    },
    'profiles.tflite-int8.fallback.policy:',
  ],
  [
    'single-cut without ops',
    (p) => {
      p.fallback.policy = 'single-cut';
      p.ops.supported = [];
    },
    'profiles.tflite-int8.ops.supported: a single-cut',
  ],
  [
    'evidence for a missing field',
    (p) => {
      p.evidence['mixedPrecision.rule'] = 'uncertain';
    },
    'profiles.tflite-int8.evidence.mixedPrecision.rule:',
  ],
  [
    'evidence level',
    (p) => {
      p.evidence.requant = 'rumour';
    },
    'profiles.tflite-int8.evidence.requant:',
  ],
  [
    'mixed precision without weights.bits',
    (p) => {
      p.mixedPrecision = { weightBits: [4, 16], rule: 'x' };
    },
    'profiles.tflite-int8.mixedPrecision.weightBits: must include',
  ],
  [
    'bias width',
    (p) => {
      p.bias.bits = 128;
    },
    'profiles.tflite-int8.bias.bits:',
  ],
  [
    'calibration options not JSON',
    (p) => {
      p.calibration.options = { bins: Number.NaN };
    },
    'profiles.tflite-int8.calibration.options.bins:',
  ],
  [
    'bad id',
    (p) => {
      p.id = 'TFLite Int8';
    },
    'profiles.TFLite Int8.id:',
  ],
  [
    'transform name',
    (p) => {
      p.postQuant = ['gptq'];
    },
    'profiles.tflite-int8.postQuant.0:',
  ],
];

describe('validateProfile', () => {
  it.each(cases)('rejects %s with QT_INVALID_PROFILE naming the field', (_label, mutate, prefix) => {
    const profile = copy('tflite-int8');
    mutate(profile);
    const error = errorOf(() => validateProfile(profile));
    expect(error.code).toBe('QT_INVALID_PROFILE');
    expect(error.message.startsWith(prefix)).toBe(true);
  });

  it('rejects weight-only rules: float activations need weights, no integer bias and no calibration', () => {
    const base = copy('coreml-weight-only');
    expect(errorOf(() => validateProfile({ ...base, weights: null })).message).toMatch(/^profiles\.coreml-weight-only\.weights: /);
    expect(errorOf(() => validateProfile({ ...base, bias: { bits: 32, scale: 'product', rounding: 'half-even' } })).message).toMatch(
      /^profiles\.coreml-weight-only\.bias: /,
    );
    expect(errorOf(() => validateProfile({ ...base, calibration: { method: 'minmax', samples: 10 } })).message).toMatch(/\.calibration\.method: /);
    expect(errorOf(() => validateProfile({ ...base, sharedScale: ['Concat'] })).message).toMatch(/\.sharedScale: /);
    expect(errorOf(() => validateProfile({ ...base, activations: { kind: 'bfloat16' } })).message).toMatch(/\.activations\.kind: /);
  });

  it('names the root `profile` when the id is unreadable, and honours a custom path', () => {
    expect(errorOf(() => validateProfile(42)).message).toBe('profile: expected an object, got 42');
    expect(errorOf(() => validateProfile({ ...copy('tflite-int8'), id: 3 })).message).toMatch(/^profile\.id: /);
    const bad = { ...copy('tflite-int8'), requant: 'exact' };
    expect(errorOf(() => validateProfile(bad, { path: 'config.backends.0' })).message).toMatch(/^config\.backends\.0\.requant: /);
  });

  it('accepts calibrators from a given list and rejects them otherwise', () => {
    const profile = { ...copy('tflite-int8'), calibration: { method: 'acme-last', samples: 8 } };
    expect(errorOf(() => validateProfile(profile)).code).toBe('QT_INVALID_PROFILE');
    expect(validateProfile(profile, { calibrators: ['acme-last'] }).calibration.method).toBe('acme-last');
  });

  it('expresses an explicit [qmin, qmax] range, per-group weights and a device', () => {
    const profile = copy('tflite-int8');
    profile.weights.range = [-64, 63];
    profile.weights.granularity = { kind: 'per-group', size: 32 };
    profile.device = { name: 'Acme NPU', tops: 4, watts: 2 };
    const result = validateProfile(profile);
    expect(result.weights?.range).toEqual([-64, 63]);
    expect(result.weights?.granularity).toEqual({ kind: 'per-group', size: 32 });
    expect(result.device).toEqual({ name: 'Acme NPU', tops: 4, watts: 2 });
    expect(Object.isFrozen(result.weights?.range)).toBe(true);
  });
});

const deviceCases: [string, (d: Record<string, any>) => void, string][] = [
  [
    'tops not positive',
    (d) => {
      d.tops = 0;
    },
    'profiles.tflite-int8.device.tops: expected a positive number',
  ],
  [
    'bandwidth not a number',
    (d) => {
      d.memoryGBps = 'fast';
    },
    'profiles.tflite-int8.device.memoryGBps: expected a finite number',
  ],
  [
    'utilization above 1',
    (d) => {
      d.utilization = 1.5;
    },
    'profiles.tflite-int8.device.utilization: expected a share of peak throughput in (0, 1]',
  ],
  [
    'utilization zero',
    (d) => {
      d.utilization = 0;
    },
    'profiles.tflite-int8.device.utilization: expected a positive number',
  ],
  [
    'unknown precision',
    (d) => {
      d.precisionTops.bfloat16 = 1;
    },
    'profiles.tflite-int8.device.precisionTops.bfloat16: unknown field',
  ],
  [
    'precision throughput',
    (d) => {
      d.precisionTops.float16 = -1;
    },
    'profiles.tflite-int8.device.precisionTops.float16: expected a positive number',
  ],
  [
    'int8 in precisionTops (it is `tops`)',
    (d) => {
      d.precisionTops.int8 = 1;
    },
    'profiles.tflite-int8.device.precisionTops.int8: unknown field',
  ],
  [
    'source without a URL',
    (d) => {
      d.sources.memoryGBps = 'the datasheet';
    },
    'profiles.tflite-int8.device.sources.memoryGBps: expected a string matching',
  ],
  [
    'source for a figure not given',
    (d) => {
      delete d.memoryGBps;
    },
    'profiles.tflite-int8.device.sources.memoryGBps: names no figure',
  ],
  [
    'unknown source key',
    (d) => {
      d.sources.price = 'https://x.example';
    },
    'profiles.tflite-int8.device.sources.price: unknown field',
  ],
  [
    'unknown device field',
    (d) => {
      d.bandwidth = 3;
    },
    'profiles.tflite-int8.device.bandwidth: unknown field',
  ],
];

describe('validateProfile: device', () => {
  it.each(deviceCases)('rejects %s with QT_INVALID_PROFILE naming the field', (_label, mutate, prefix) => {
    const profile = copy('tflite-int8');
    mutate(profile.device);
    const error = errorOf(() => validateProfile(profile));
    expect(error.code).toBe('QT_INVALID_PROFILE');
    expect(error.message.startsWith(prefix)).toBe(true);
  });

  it('keeps every device figure and source, frozen', () => {
    const result = validateProfile(copy('vitis-dpu-pow2'));
    expect(result.device).toEqual(builtinProfiles['vitis-dpu-pow2'].device);
    expect(result.device?.utilization).toBe(0.27);
    expect(Object.isFrozen(result.device?.sources)).toBe(true);
    expect(Object.isFrozen(result.device?.precisionTops)).toBe(true);
  });
});
