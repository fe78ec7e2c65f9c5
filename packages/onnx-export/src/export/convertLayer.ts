import type * as tf from '@tensorflow/tfjs';
import { type SchemeOptions, createScheme } from '@quant-trim/quant-grid';
import { QuantTrimError } from '@quant-trim/errors';
import { type GraphBuilder, float, int, ints } from './GraphBuilder.js';
import { type ExportContext, dequantizedBias, dequantizedWeight, quantizeActivation, weightScheme } from './quantization.js';
import { type ExportTensor, graphAxis, spatialPads, toNchw, toPlain } from './tfjsLayout.js';

/** Fake-quant layer classes (from @quant-trim/fake-quant) and the plain class each exports as. */
const QUANT_CLASSES: Record<string, string> = {
  QuantTrimDense: 'Dense',
  QuantTrimConv2D: 'Conv2D',
  QuantTrimDepthwiseConv2D: 'DepthwiseConv2D',
  QuantTrimSeparableConv2D: 'SeparableConv2D',
  QuantTrimBatchNormalization: 'BatchNormalization',
  QuantTrimFakeQuant: 'FakeQuant',
  QuantTrimClamp: 'Clamp',
};

/**
 * ONNX `Clip` with per-tensor float32 bounds (an absent bound is an empty optional input). The
 * output leaves any quantization grid, like ReLU6.
 */
function clip(b: GraphBuilder, x: ExportTensor, min: number | null, max: number | null, base: string): ExportTensor {
  const { grid: _grid, inputScale: _scale, ...off } = x;
  // Relu followed by Clip(lo ≤ 0, max) is Clip(0, max) of the Relu's input, bit for bit: rewrite the
  // Relu in place (one activation after a Conv, as ReLU6; ONNX Runtime's extended optimisations
  // mis-fuse Conv → Relu → Clip into two nodes of the same name).
  const producer = b.nodes.find((n) => n.outputs[0] === x.name);
  if (producer?.opType === 'Relu' && (min === null || min <= 0) && max !== null && !b.nodes.some((n) => n.inputs.includes(x.name))) {
    producer.opType = 'Clip';
    producer.name = b.name(`${base}/Clip`);
    producer.inputs = [producer.inputs[0]!, b.float(`${base}/min`, new Float32Array([0]), []), b.float(`${base}/max`, new Float32Array([max]), [])];
    return off;
  }
  // Clip(Clip(x, a, b), c, d) = Clip(x, max(a, c), min(b, d)) when the two ranges overlap (ReLU6 then a clamp).
  if (producer?.opType === 'Clip' && !b.nodes.some((n) => n.inputs.includes(x.name))) {
    const bound = (name: string | undefined) =>
      name === undefined || name === '' ? null : ((b.initializers.get(name)?.data as Float32Array | undefined)?.[0] ?? Number.NaN);
    const a = bound(producer.inputs[1]);
    const c = bound(producer.inputs[2]);
    const lo = a === null ? min : min === null ? a : Math.max(a, min);
    const hi = c === null ? max : max === null ? c : Math.min(c, max);
    if (!Number.isNaN(a) && !Number.isNaN(c) && (lo === null || hi === null || lo <= hi)) {
      const replaced = producer.inputs.slice(1);
      producer.name = b.name(`${base}/Clip`);
      producer.inputs = [
        producer.inputs[0]!,
        lo === null ? '' : b.float(`${base}/min`, new Float32Array([lo]), []),
        hi === null ? '' : b.float(`${base}/max`, new Float32Array([hi]), []),
      ];
      while (producer.inputs[producer.inputs.length - 1] === '') producer.inputs.pop();
      // The merged Clip's old bounds are read by nothing now: no unused initializers in the file.
      for (const name of replaced) if (name !== '' && !b.nodes.some((n) => n.inputs.includes(name))) b.initializers.delete(name);
      return off;
    }
  }
  const inputs = [
    x.name,
    min === null ? '' : b.float(`${base}/min`, new Float32Array([min]), []),
    max === null ? '' : b.float(`${base}/max`, new Float32Array([max]), []),
  ];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  return { ...off, name: b.node('Clip', inputs, base) };
}

/**
 * The deployed tail-trim clamp of a fake-quant activation quantizer (mirrors
 * `FakeQuant.deployedClamp()` of @quant-trim/fake-quant): from its `tail_clamp` weight
 * [low, high, share, seen], [min(low, 0), max(high, 0)] (no lower bound with `lower: false`) once
 * something was trimmed, unless the config says `deploy: false`.
 */
function tailClamp(layer: tf.layers.Layer, config: tf.serialization.ConfigDict): { min: number | null; max: number } | undefined {
  const trim = (config['observer'] as { tailTrim?: { deploy?: boolean; lower?: boolean } | true } | undefined)?.tailTrim;
  if (trim === undefined || (trim !== true && trim.deploy === false)) return undefined;
  const variable = layer.weights.find((w) => w.originalName.endsWith('/tail_clamp'));
  if (variable === undefined) return undefined;
  const [low, high, share, seen] = variable.read().dataSync();
  if (seen !== 1 || !(share! > 0)) return undefined;
  const lower = trim === true || trim.lower !== false;
  return { min: lower ? Math.min(low!, 0) : null, max: Math.max(high!, 0) };
}

/** What a fake-quant weighted layer offers exporters (duck-typed: this package does not depend on fake-quant). */
interface FakeQuantWeighted {
  transformedWeight?: (name: string) => Float32Array;
  /** Transformed and, with a BatchNorm folded into the layer, folded (W·γ/σ, (b − μ)·γ/σ + β). */
  deployedWeight?: (name: string) => Float32Array | undefined;
  foldedBatchNorm?: unknown;
}

/** Whether a fake-quant layer has a BatchNorm folded into it (its BatchNorm layer then exports as nothing). */
function hasFoldedBatchNorm(layer: tf.layers.Layer): boolean {
  const l = layer as unknown as FakeQuantWeighted;
  return l.foldedBatchNorm !== undefined && typeof l.deployedWeight === 'function';
}

/** A weight's float value by name: the weight training quantizes (transformed, BatchNorm folded), for fake-quant layers. */
function weightValues(layer: tf.layers.Layer, name: string): Float32Array | undefined {
  const l = layer as unknown as FakeQuantWeighted;
  if (hasFoldedBatchNorm(layer)) return l.deployedWeight!.call(layer, name);
  const variable = layer.weights.find((w) => w.originalName.endsWith(`/${name}`));
  if (variable === undefined) return undefined;
  return typeof l.transformedWeight === 'function' ? l.transformedWeight.call(layer, name) : (variable.read().dataSync() as Float32Array);
}

/**
 * A weight input of an op: a float32 initializer (FP32 export, or float weights), or quantized
 * codes + DequantizeLinear when the layer carries a weight scheme and the export is QDQ.
 */
function weightInput(
  ctx: ExportContext,
  layer: tf.layers.Layer,
  base: string,
  values: Float32Array,
  dims: number[],
  axes: { channel: number; group: number },
): { name: string; scales?: Float32Array } {
  const scheme = layer.getConfig()['weightScheme'] as SchemeOptions | null | undefined;
  if (ctx.format === 'fp32' || scheme === null || scheme === undefined) return { name: ctx.b.float(`${layer.name}/${base}`, values, dims) };
  return dequantizedWeight(ctx, layer.name, base, values, dims, weightScheme(scheme, axes.channel, axes.group));
}

/** The bias input: int32 + DequantizeLinear when the input grid and weight scales are known (QDQ), else float32. */
function biasInput(ctx: ExportContext, layer: tf.layers.Layer, x: ExportTensor, values: Float32Array, weight: { scales?: Float32Array }): string {
  if (ctx.format === 'qdq' && weight.scales !== undefined && x.inputScale !== undefined)
    return dequantizedBias(ctx, layer.name, values, x.inputScale, weight.scales);
  return ctx.b.float(`${layer.name}/bias`, values, [values.length]);
}

/** Layer classes `exportOnnx` supports (plain tfjs layers; strip fake-quant models first). */
export const SUPPORTED_LAYERS = [
  'InputLayer',
  'Dense',
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'BatchNormalization',
  'ReLU',
  'LeakyReLU',
  'Activation',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Add',
  'Multiply',
  'Average',
  'Concatenate',
  'Flatten',
  'Reshape',
  'Dropout',
  'SpatialDropout2D',
  'ZeroPadding2D',
  ...Object.keys(QUANT_CLASSES),
] as const;

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0] as number, (v[1] ?? v[0]) as number] : [v as number, v as number]);

function unsupported(layer: tf.layers.Layer, why: string): never {
  throw new QuantTrimError({
    code: 'QT_EXPORT_UNSUPPORTED_OP',
    message: `layer "${layer.name}" (${layer.getClassName()}): ${why}; supported layers: ${SUPPORTED_LAYERS.join(', ')}`,
    details: { layer: layer.name, className: layer.getClassName() },
  });
}

/** Applies a tfjs activation by name. */
export function activation(b: GraphBuilder, layer: tf.layers.Layer, t: ExportTensor, name: string | undefined): ExportTensor {
  const base = `${layer.name}/${name}`;
  // Only ReLU keeps values on their grid; every other activation leaves it.
  const { grid: _grid, inputScale: _scale, ...off } = t;
  const unary = (op: string, attributes = {}) => ({ ...off, name: b.node(op, [t.name], base, attributes) });
  switch (name ?? 'linear') {
    case 'linear':
      return t;
    case 'relu':
      return { ...t, name: b.node('Relu', [t.name], base) };
    case 'relu6':
      return {
        ...off,
        name: b.node('Clip', [t.name, b.float(`${base}/min`, new Float32Array([0]), []), b.float(`${base}/max`, new Float32Array([6]), [])], base),
      };
    case 'sigmoid':
      return unary('Sigmoid');
    case 'tanh':
      return unary('Tanh');
    case 'elu':
      return unary('Elu', { alpha: float(1) });
    case 'selu':
      return unary('Selu', { alpha: float(1.6732632423543772), gamma: float(1.0507009873554805) });
    case 'softplus':
      return unary('Softplus');
    case 'softsign':
      return unary('Softsign');
    case 'hardSigmoid':
      return unary('HardSigmoid', { alpha: float(0.2), beta: float(0.5) });
    case 'softmax':
      return unary('Softmax', { axis: int(graphAxis(t, -1)) });
    default:
      return unsupported(layer, `activation "${name}" has no ONNX mapping here`);
  }
}

function conv(
  b: GraphBuilder,
  layer: tf.layers.Layer,
  x: ExportTensor,
  weight: string,
  bias: string | undefined,
  config: tf.serialization.ConfigDict,
  kernel: [number, number],
  group: number,
  outChannels: number,
): ExportTensor {
  const strides = pair(config['strides'] ?? 1);
  const dilation = pair(config['dilationRate'] ?? 1);
  const [, h, w] = x.shape as number[];
  const pads = spatialPads([h!, w!], kernel, strides, dilation, config['padding'] as string);
  const inputs = bias === undefined ? [x.name, weight] : [x.name, weight, bias];
  const name = b.node('Conv', inputs, layer.name, {
    kernel_shape: ints(kernel),
    strides: ints(strides),
    dilations: ints(dilation),
    pads: ints(pads),
    group: int(group),
  });
  const out = layer.outputShape as (number | null)[];
  return { name, shape: [out[0] ?? null, out[1] ?? null, out[2] ?? null, outChannels], layout: 'nchw' };
}

/** Conv kernel [kh, kw, cin, cout] → ONNX [cout, cin, kh, kw]. */
function convWeight(k: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let a = 0; a < kh!; a++)
    for (let c = 0; c < kw!; c++)
      for (let i = 0; i < cin!; i++) for (let o = 0; o < cout!; o++) out[((o * cin! + i) * kh! + a) * kw! + c] = k[((a * kw! + c) * cin! + i) * cout! + o]!;
  return out;
}

/** Dense kernel rows from tfjs's NHWC flatten order to NCHW flatten order. */
function nchwRows(kernel: Float32Array, [c, h, w]: [number, number, number], units: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) out.set(kernel.subarray(((y * w + x) * c + k) * units, ((y * w + x) * c + k + 1) * units), ((k * h + y) * w + x) * units);
  return out;
}

/**
 * QDQ: a quantized op reads its input straight from a DequantizeLinear. Where value-preserving
 * ops (transpose, pooling, reshape) sit between the quantizer and the op, the same grid is
 * re-emitted (QuantizeLinear → DequantizeLinear with the same parameters, an exact no-op on grid
 * values), the canonical pattern ONNX Runtime fuses into integer kernels.
 */
function quantizedInput(ctx: ExportContext, t: ExportTensor): ExportTensor {
  if (ctx.format !== 'qdq' || t.grid === undefined || t.grid.dequantized === t.name) return t;
  const q = ctx.b.node('QuantizeLinear', [t.name, t.grid.scale, t.grid.zeroPoint], `${t.name}_requantized`);
  const dq = ctx.b.node('DequantizeLinear', [q, t.grid.scale, t.grid.zeroPoint], `${t.name}_dequantized`);
  return { ...t, name: dq, grid: { ...t.grid, dequantized: dq } };
}

/**
 * Emits the ONNX nodes of one tfjs layer applied to `inputs`. Weights become float32
 * initializers in ONNX layouts (FP32) or integer codes with DequantizeLinear (QDQ, for fake-quant
 * layers); activation quantization points become QuantizeLinear → DequantizeLinear (QDQ) or
 * disappear (FP32); the layer's fused activation follows.
 */
export function convertLayer(ctx: ExportContext, layer: tf.layers.Layer, inputs: ExportTensor[]): ExportTensor {
  const b = ctx.b;
  const cls = QUANT_CLASSES[layer.getClassName()] ?? layer.getClassName();
  const c = layer.getConfig();
  // Only Dense, Dropout and per-tensor quantizers accept features in NCHW-flattened order.
  if (!['Dense', 'Dropout', 'SpatialDropout2D', 'FakeQuant', 'Clamp'].includes(cls)) inputs = inputs.map((t) => (t.layout === 'nchw-flat' ? toPlain(b, t) : t));
  const x = inputs[0]!;
  const outShape = layer.outputShape as (number | null)[];
  const useBias = ((c['useBias'] as boolean | undefined) ?? true) || hasFoldedBatchNorm(layer);
  const w = (name: string) => weightValues(layer, name);
  const shapeOf = (name: string) => layer.weights.find((v) => v.originalName.endsWith(`/${name}`))!.shape as number[];
  switch (cls) {
    case 'FakeQuant': {
      // Tail trimming's deployed clamp comes first, in both formats (the float model contains it).
      const scheme = createScheme(c['scheme'] as SchemeOptions);
      if (ctx.format === 'qdq' && x.layout === 'nchw-flat' && scheme.granularity.kind !== 'per-tensor') return convertLayer(ctx, layer, [toPlain(b, x)]);
      const bounds = tailClamp(layer, c);
      // FP32: the float model clips. QDQ: the fake quantizer's grid never reaches past the clamp
      // (its range is the observed one ∩ the clamp, and the clamp holds 0), so QuantizeLinear's
      // saturation is the clamp and no Clip is needed.
      if (ctx.format === 'fp32') return bounds === undefined ? x : clip(b, x, bounds.min, bounds.max, `${layer.name}/clamp`);
      const range = {
        min: Array.from(w('min')!, (v) => (bounds?.min === null || bounds === undefined ? v : Math.max(v, bounds.min))),
        max: Array.from(w('max')!, (v) => (bounds === undefined ? v : Math.min(v, bounds.max))),
      };
      const input = x;
      const axis = scheme.granularity.kind === 'per-tensor' ? 0 : graphAxis(input, -1);
      return quantizeActivation(ctx, layer.name, input, range, scheme, axis);
    }
    case 'Clamp': {
      // @quant-trim/fake-quant's Clamp layer (per-tensor bounds, null = none): ONNX Clip.
      if (c['min'] === null && c['max'] === null) return x;
      return clip(b, x, (c['min'] as number | null) ?? null, (c['max'] as number | null) ?? null, layer.name);
    }
    case 'Dense': {
      const [inDim, units] = shapeOf('kernel') as [number, number];
      const flat = x.layout === 'nchw-flat';
      const plain = quantizedInput(ctx, flat ? x : toPlain(b, x));
      const kernel = flat ? nchwRows(w('kernel')!, x.chw!, units) : w('kernel')!;
      const weight = weightInput(ctx, layer, 'kernel', kernel, [inDim, units], { channel: 1, group: 0 });
      const bias = biasInput(ctx, layer, plain, useBias ? w('bias')! : new Float32Array(units), weight);
      const name =
        plain.shape.length === 2
          ? b.node('Gemm', [plain.name, weight.name, bias], layer.name)
          : b.node('Add', [b.node('MatMul', [plain.name, weight.name], `${layer.name}/matmul`), bias], layer.name);
      return activation(b, layer, { name, shape: outShape, layout: 'plain' }, c['activation'] as string);
    }
    case 'Conv2D': {
      if (c['dataFormat'] === 'channelsFirst') unsupported(layer, 'channelsFirst data format');
      const shape = shapeOf('kernel');
      const t = quantizedInput(ctx, toNchw(b, x));
      const weight = weightInput(ctx, layer, 'kernel', convWeight(w('kernel')!, shape), [shape[3]!, shape[2]!, shape[0]!, shape[1]!], { channel: 0, group: 1 });
      const bias = useBias ? biasInput(ctx, layer, t, w('bias')!, weight) : undefined;
      return activation(b, layer, conv(b, layer, t, weight.name, bias, c, [shape[0]!, shape[1]!], 1, shape[3]!), c['activation'] as string);
    }
    case 'DepthwiseConv2D':
    case 'SeparableConv2D': {
      if (c['dataFormat'] === 'channelsFirst') unsupported(layer, 'channelsFirst data format');
      const [kh, kw, ch, m] = shapeOf('depthwise_kernel');
      const t = quantizedInput(ctx, toNchw(b, x));
      // [kh, kw, C, M] → [C·M, 1, kh, kw]: output channel c·M + m, as tfjs orders them.
      const depthwise = weightInput(ctx, layer, 'depthwise_kernel', convWeight(w('depthwise_kernel')!, [kh!, kw!, 1, ch! * m!]), [ch! * m!, 1, kh!, kw!], {
        channel: 0,
        group: 0,
      });
      if (cls === 'DepthwiseConv2D') {
        const bias = useBias ? biasInput(ctx, layer, t, w('bias')!, depthwise) : undefined;
        return activation(b, layer, conv(b, layer, t, depthwise.name, bias, c, [kh!, kw!], ch!, ch! * m!), c['activation'] as string);
      }
      const pw = shapeOf('pointwise_kernel');
      const dwOut = conv(
        b,
        { name: `${layer.name}/depthwise`, outputShape: [outShape[0], outShape[1], outShape[2], ch! * m!] } as unknown as tf.layers.Layer,
        t,
        depthwise.name,
        undefined,
        c,
        [kh!, kw!],
        ch!,
        ch! * m!,
      );
      const pointwise = weightInput(ctx, layer, 'pointwise_kernel', convWeight(w('pointwise_kernel')!, pw), [pw[3]!, pw[2]!, 1, 1], { channel: 0, group: 1 });
      const bias = useBias ? b.float(`${layer.name}/bias`, w('bias')!, [pw[3]!]) : undefined;
      const name = b.node('Conv', bias ? [dwOut.name, pointwise.name, bias] : [dwOut.name, pointwise.name], layer.name, { kernel_shape: ints([1, 1]) });
      return activation(b, layer, { name, shape: outShape, layout: 'nchw' }, c['activation'] as string);
    }
    case 'BatchNormalization': {
      // A fake-quant BatchNorm folded into its producer: the producer exported the folded weights.
      if (c['foldedInto'] !== undefined && c['foldedInto'] !== null) return x;
      const axis = (c['axis'] as number | undefined) ?? -1;
      if (axis !== -1 && axis !== x.shape.length - 1) unsupported(layer, `BatchNormalization over axis ${axis} (only the channel axis)`);
      const channels = x.shape[x.shape.length - 1] as number;
      const gamma = c['scale'] !== false ? w('gamma')! : new Float32Array(channels).fill(1);
      const beta = c['center'] !== false ? w('beta')! : new Float32Array(channels);
      const inputsBn = [gamma, beta, w('moving_mean')!, w('moving_variance')!].map((v, k) =>
        b.float(`${layer.name}/${['gamma', 'beta', 'mean', 'var'][k]}`, v, [channels]),
      );
      const t = x.shape.length === 4 ? toNchw(b, x) : toPlain(b, x);
      return {
        name: b.node('BatchNormalization', [t.name, ...inputsBn], layer.name, { epsilon: float((c['epsilon'] as number | undefined) ?? 1e-3) }),
        shape: t.shape,
        layout: t.layout,
      };
    }
    case 'ReLU': {
      const max = c['maxValue'] as number | null | undefined;
      if (max === undefined || max === null) return { ...x, name: b.node('Relu', [x.name], layer.name) };
      return clip(b, x, 0, max, layer.name);
    }
    case 'LeakyReLU':
      return { name: b.node('LeakyRelu', [x.name], layer.name, { alpha: float((c['alpha'] as number | undefined) ?? 0.3) }), shape: x.shape, layout: x.layout };
    case 'Activation':
      return activation(b, layer, x, c['activation'] as string);
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const pool = pair(c['poolSize'] ?? 2);
      const strides = pair(c['strides'] ?? c['poolSize'] ?? 2);
      const t = toNchw(b, x);
      const pads = spatialPads([x.shape[1] as number, x.shape[2] as number], pool, strides, [1, 1], c['padding'] as string);
      const op = cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
      const name = b.node(op, [t.name], layer.name, { kernel_shape: ints(pool), strides: ints(strides), pads: ints(pads) });
      return {
        name,
        shape: outShape,
        layout: 'nchw',
        ...(op === 'MaxPool' && x.inputScale !== undefined ? { inputScale: x.inputScale } : {}),
        ...(op === 'MaxPool' && x.grid ? { grid: x.grid } : {}),
      };
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D': {
      const t = toNchw(b, x);
      const pooled = b.node(cls === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool', [t.name], `${layer.name}/pool`);
      return { name: b.node('Flatten', [pooled], layer.name, { axis: int(1) }), shape: outShape, layout: 'plain' };
    }
    case 'Add':
    case 'Multiply':
    case 'Average':
    case 'Concatenate': {
      const aligned = inputs.map((t) => (t.shape.length === 4 ? toNchw(b, t) : toPlain(b, t)));
      const names = aligned.map((t) => t.name);
      const layout = aligned[0]!.layout;
      if (cls === 'Concatenate')
        return {
          name: b.node('Concat', names, layer.name, { axis: int(graphAxis(aligned[0]!, (c['axis'] as number | undefined) ?? -1)) }),
          shape: outShape,
          layout,
        };
      const op = cls === 'Add' ? 'Sum' : cls === 'Multiply' ? 'Mul' : 'Mean';
      const name =
        op === 'Mul'
          ? names.slice(1).reduce((acc, n, k) => b.node('Mul', [acc, n], k === names.length - 2 ? layer.name : `${layer.name}/mul${k}`), names[0]!)
          : b.node(op, names, layer.name);
      return { name, shape: outShape, layout };
    }
    case 'Flatten': {
      const keep = { ...(x.inputScale !== undefined ? { inputScale: x.inputScale } : {}), ...(x.grid ? { grid: x.grid } : {}) };
      if (x.layout === 'nchw') {
        // Flatten the NCHW data as is (a Reshape, which ONNX Runtime moves Q/DQ through); Dense
        // consumers reorder their kernel rows to tfjs's NHWC feature order instead.
        const [, h, w, ch] = x.shape as number[];
        const name = b.node('Reshape', [x.name, b.int64(`${layer.name}/shape`, [0, -1])], layer.name);
        return { name, shape: outShape, layout: 'nchw-flat', chw: [ch!, h!, w!], ...keep };
      }
      return { name: b.node('Flatten', [toPlain(b, x).name], layer.name, { axis: int(1) }), shape: outShape, layout: 'plain', ...keep };
    }
    case 'Reshape': {
      const target = c['targetShape'] as number[];
      const name = b.node('Reshape', [toPlain(b, x).name, b.int64(`${layer.name}/shape`, [0, ...target])], layer.name);
      return {
        name,
        shape: outShape,
        layout: 'plain',
        ...(x.inputScale !== undefined ? { inputScale: x.inputScale } : {}),
        ...(x.grid ? { grid: x.grid } : {}),
      };
    }
    case 'Dropout':
    case 'SpatialDropout2D':
      return x;
    case 'ZeroPadding2D': {
      const p = c['padding'] as number[][];
      const t = toNchw(b, x);
      const pads = b.int64(`${layer.name}/pads`, [0, 0, p[0]![0]!, p[1]![0]!, 0, 0, p[0]![1]!, p[1]![1]!]);
      return { name: b.node('Pad', [t.name, pads], layer.name), shape: outShape, layout: 'nchw' };
    }
    default:
      return unsupported(layer, 'no ONNX mapping');
  }
}
