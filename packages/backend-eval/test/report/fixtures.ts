import type { NodeCoverage } from '../../src/compile/compileForBackend.js';
import {
  REPORT_SCHEMA_ID,
  type CostEstimate,
  type EvaluationReport,
  type LatencyStats,
  type ProfileResult,
  type RuntimeResult,
} from '../../src/evaluate/reportTypes.js';

/** Optional fields that apply only in some states (a failed profile, a float node, a node without weights): left optional by `Complete`. */
type Situational = 'error' | 'reason' | 'weightBits' | 'transparent';

/**
 * `T` with every optional field, at every depth, required except the situational ones: tsc proves
 * that the full fixture sets them all (the schema test checks that the two fixtures together use
 * every schema property, situational ones included).
 */
export type Complete<T> = T extends string | number | boolean
  ? T
  : T extends readonly (infer E)[]
    ? readonly Complete<E>[]
    : { readonly [K in keyof T as K extends Situational ? never : K]-?: Complete<Exclude<T[K], undefined>> } & {
        readonly [K in keyof T as K extends Situational ? K : never]?: T[K];
      };

const latency = (b1: number, b32: number): LatencyStats[] => [
  { batch: 1, runs: 200, p50Ms: b1, p90Ms: +(b1 * 1.18).toFixed(3) },
  { batch: 32, runs: 50, p50Ms: b32, p90Ms: +(b32 * 1.09).toFixed(3) },
];

const OPS = ['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'GlobalAveragePool', 'Flatten', 'Gemm', 'Softmax'] as const;

/** The layout Transpose and 12 computing nodes of `cifar10-cnn`; `integerUpTo`: nodes after it fall back (single cut). */
function nodes(integerUpTo: number): Complete<NodeCoverage>[] {
  const layout: Complete<NodeCoverage> = {
    node: 'input_nchw',
    opType: 'Transpose',
    integer: false,
    onAccelerator: true,
    numerics: 'float32',
    reason: 'layout Transpose at the graph input: absorbed by the converter (the accelerator reads the input in this layout)',
    transparent: true,
  };
  return [layout, ...computing(integerUpTo)];
}

function computing(integerUpTo: number): Complete<NodeCoverage>[] {
  return OPS.map((opType, i) => {
    const node = `${opType.toLowerCase()}_${i}`;
    const integer = ['Conv', 'Gemm'].includes(opType) && i <= integerUpTo;
    if (integer) return { node, opType, integer, onAccelerator: true, numerics: 'integer', weightBits: 8 };
    const cut = i > integerUpTo;
    const reason = cut
      ? `after the single cut at 'relu_${integerUpTo + 1}'`
      : 'no integer emulation for this op yet: runs in float32 between quantized tensors';
    return { node, opType, integer, onAccelerator: !cut, numerics: 'float32', reason };
  });
}

function estimate(int8: number, float32: number, energyMicrojoules: number, latencyMs: number): Complete<CostEstimate> {
  return {
    device: 'NVIDIA Jetson Orin Nano 8GB',
    macs: { int4: 0, int8, int16: 0, float16: 0, float32 },
    bytesMoved: 1_318_912,
    energyMicrojoules,
    latencyMs,
    costUsdPerMillion: 0.41,
    placement: {
      acceleratorMacs: int8,
      fallbackMacs: float32,
      invocations: 1,
      transferBytes: 0,
      acceleratorMs: latencyMs - 0.01,
      hostMs: 0,
      transferMs: 0,
      overheadMs: 0.01,
      host: 'host CPU',
    },
    assumptions: {
      int8MacEnergy: { value: 0.2, unit: 'pJ', source: 'Horowitz, ISSCC 2014, 45 nm (8-bit add + mult)' },
      'dram-byte-energy': { value: 160, unit: 'pJ', source: 'Horowitz, ISSCC 2014 (64-bit DRAM read / 8 bytes)' },
    },
  };
}

function runtimes(accuracy: number, b1: number, b32: number, fused: Readonly<Record<string, number>>): Complete<RuntimeResult>[] {
  return [
    {
      runtime: 'onnxruntime-node',
      version: '1.30.0',
      mode: 'native',
      threads: 4,
      samples: 1000,
      accuracy,
      agreementWithEmulation: 0.996,
      maxAbsDiffFromEmulation: 0.0841,
      latency: latency(b1, b32),
      optimizedOps: fused,
    },
    {
      runtime: 'onnxruntime-web',
      version: '1.30.0',
      mode: 'emulate',
      threads: 1,
      samples: 256,
      accuracy,
      agreementWithEmulation: 1,
      maxAbsDiffFromEmulation: 0.00000381,
      latency: latency(b1 * 3.1, b32 * 2.7),
      optimizedOps: fused,
    },
  ];
}

const trtInt8: Complete<ProfileResult> = {
  profile: 'trt-int8-entropy',
  name: 'TensorRT INT8 (entropy calibration)',
  vendor: 'NVIDIA',
  status: 'ok',
  metrics: { samples: 1000, accuracy: 0.907, floatAccuracy: 0.912, drop: 0.005, top1Agreement: 0.981, kl: 0.004117, logitCosine: 0.99914, ece: 0.0213 },
  fidelity: [{ output: 'logits', elements: 10, sqnrDb: 27.4, cosine: 0.99914, maxAbsError: 0.412 }],
  scores: [{ metric: 'top5', name: 'top-5 accuracy', higherIsBetter: true, value: 0.991, floatValue: 0.993, drop: 0.002 }],
  coverage: { integer: 4, onAccelerator: 12, total: 12, macShare: 0.9968, acceleratorMacShare: 1, nodes: nodes(11) },
  approximations: ['biases stay float32 (INT32 biases not emulated)'],
  calibration: {
    samples: 256,
    batches: 8,
    seconds: 1.2,
    tensors: [
      { tensor: 'input', observedMin: 0, observedMax: 1, clipMin: 0, clipMax: 1, scale: 0.003921569, zeroPoint: 0, source: 'calibrated' },
      { tensor: 'relu_1', observedMin: 0, observedMax: 4.62, clipMin: 0, clipMax: 1.27, scale: 0.005, zeroPoint: -128, source: 'calibrated' },
      { tensor: 'logits', observedMin: -9.1, observedMax: 12.4, clipMin: -9.12, clipMax: 12.41, scale: 0.0836, zeroPoint: -19, source: 'min-range' },
    ],
  },
  sensitivity: {
    samples: 64,
    layers: [
      { node: 'conv_0', opType: 'Conv', outputSqnrDb: 38.2, isolatedSqnrDb: 41.7, inputTensor: 'input', outputTensor: 'relu_1' },
      { node: 'gemm_10', opType: 'Gemm', outputSqnrDb: 24.9, isolatedSqnrDb: 29.3, inputTensor: 'relu_1', outputTensor: 'logits' },
    ],
    keepFloat: ['gemm_10'],
    thresholdDb: 30,
  },
  runtimes: runtimes(0.906, 0.412, 5.87, { QLinearConv: 3, QGemm: 1, MaxPool: 2 }),
  disagreement: [
    { a: 'onnxruntime-node', b: 'onnxruntime-web', mode: 'emulate', samples: 256, top1Agreement: 1, maxAbsDiff: 0.00000381, meanAbsDiff: 0.00000042 },
  ],
  estimate: estimate(13_107_200, 40_960, 3.1, 0.052),
  predictions: Array.from({ length: 1000 }, (_, i) => (i * 7) % 10),
  timing: { compileSeconds: 1.84, inferenceSeconds: 0.93, sensitivitySeconds: 1.1, runtimeSeconds: 6.2 },
};

const tfliteInt8: Complete<ProfileResult> = {
  ...trtInt8,
  profile: 'tflite-int8',
  name: 'TensorFlow Lite INT8',
  vendor: 'Google',
  metrics: { samples: 1000, accuracy: 0.903, floatAccuracy: 0.912, drop: 0.009, top1Agreement: 0.9735, kl: 0.00862, logitCosine: 0.99801, ece: 0.0307 },
  coverage: { integer: 3, onAccelerator: 8, total: 12, macShare: 0.9412, acceleratorMacShare: 0.9412, nodes: nodes(7) },
  runtimes: runtimes(0.903, 0.398, 5.61, { QLinearConv: 3, MaxPool: 2, Gemm: 1 }),
  estimate: estimate(12_345_344, 802_816, 3.6, 0.061),
};

const full: Complete<EvaluationReport> = {
  $schema: REPORT_SCHEMA_ID,
  schemaVersion: 1,
  createdAt: '2026-11-26T16:55:33.957Z',
  tool: { name: '@quant-trim/backend-eval', version: '0.1.0' },
  environment: {
    node: 'v20.19.1',
    platform: 'linux',
    arch: 'x64',
    cpu: 'AMD EPYC 7B13',
    isa: ['avx2', 'avx512f', 'avx512_vnni'],
    runtimes: { 'onnxruntime-node': '1.30.0', 'onnxruntime-web': '1.30.0' },
  },
  data: { samples: 1000, calibrationSamples: 256, classes: 10, labelled: true },
  models: [
    {
      name: 'cifar10-cnn',
      parameters: 620_362,
      macs: 13_148_160,
      inputs: [{ name: 'input', sampleShape: [3, 32, 32] }],
      outputs: [{ name: 'logits', sampleShape: [10] }],
      float: {
        accuracy: 0.912,
        scores: [{ metric: 'top5', name: 'top-5 accuracy', higherIsBetter: true, value: 0.993 }],
        runtimes: runtimes(0.912, 0.731, 11.04, { Conv: 3, MaxPool: 2, Gemm: 1 }),
        estimate: estimate(0, 13_148_160, 11.9, 0.187),
        predictions: Array.from({ length: 1000 }, (_, i) => i % 10),
      },
      profiles: [trtInt8, tfliteInt8],
      acrossProfiles: { meanDrop: 0.007, worstDrop: 0.009, worstProfile: 'tflite-int8', spread: 0.004 },
    },
  ],
};

/** Every optional field present (tsc checks that through `Complete`), labelled data, two runtimes. */
export const fullReport: EvaluationReport = full;

/** Every optional field absent; one profile that ran, one that failed; no runtime rows. */
export const minimalReport: EvaluationReport = {
  $schema: REPORT_SCHEMA_ID,
  schemaVersion: 1,
  createdAt: '2026-11-26T17:02:11+01:00',
  tool: { name: '@quant-trim/backend-eval', version: '0.1.0' },
  environment: { node: 'v22.12.0', platform: 'darwin', arch: 'arm64', cpu: 'Apple M2', isa: [], runtimes: {} },
  data: { samples: 200, calibrationSamples: 64, classes: 10, labelled: false },
  models: [
    {
      name: 'tiny-mlp',
      parameters: 203_530,
      macs: 203_264,
      float: { runtimes: [] },
      profiles: [
        { profile: 'ort-dynamic-u8s8', name: 'ONNX Runtime dynamic U8S8', vendor: 'Microsoft', status: 'ok' },
        {
          profile: 'edgetpu-strict',
          name: 'Edge TPU (strict)',
          vendor: 'Google',
          status: 'error',
          error: { code: 'QT_INVALID_ARGUMENT', message: '`compileForBackend` (edgetpu-strict): models with exactly one input are supported, this one has 2' },
        },
      ],
    },
  ],
};
