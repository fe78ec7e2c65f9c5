import * as tf from '@tensorflow/tfjs';
import { QuantTrimError } from '@quant-trim/errors';
import { type OnnxModel, type OnnxNode, readOnnx } from '@quant-trim/onnx-export';
import { ImportContext } from './build/ImportContext.js';
import { foldConstants } from './graph/foldConstants.js';
import { registerOnnxLayers } from './layers/registerOnnxLayers.js';
import { CONVERTERS, SUPPORTED_OPS } from './ops/index.js';
import { type UnsupportedNode, unsupportedError } from './unsupportedError.js';

export interface ImportOnnxOptions {
  /**
   * 'keep' (default): each BatchNormalization becomes a trainable tfjs BatchNormalization with the
   * ONNX statistics, which `quantizeModel` then trains and folds its own way. 'fold': folded into
   * the Conv / Gemm before it (W·γ/σ, (b − μ)·γ/σ + β) where it is that tensor's only reader —
   * for fine-tuning without BatchNorm; the others stay layers.
   */
  batchNorm?: 'keep' | 'fold';
  /** Static ONNX shapes (NCHW, batch first) for inputs with symbolic dimensions. */
  inputShapes?: Record<string, readonly number[]>;
  /** The tfjs model's name (default: the ONNX graph's). */
  name?: string;
}

const isDefaultDomain = (node: OnnxNode) => node.domain === '' || node.domain === 'ai.onnx';

/**
 * Imports an ONNX vision model (PyTorch or tf2onnx export) as a trainable tfjs `LayersModel` made
 * of standard layers (Conv2D, DepthwiseConv2D, Dense, BatchNormalization, ReLU…) and a few
 * registered ones, carrying the ONNX weights — a model `quantizeModel` accepts and tfjs saves and
 * loads. Rank-4 tensors are NCHW in ONNX and NHWC in tfjs: the model's image inputs are [N, H, W, C]
 * (or as the file has them, when it starts by transposing NHWC to NCHW) and rank-4 outputs NHWC;
 * inside, the layout changes only where an op needs ONNX order.
 *
 * Nothing partial is ever returned: every node is checked first, and a model with unsupported
 * nodes raises `QT_IMPORT_UNSUPPORTED_OP` listing each of them with its op type and reason.
 *
 * @example
 * const model = importOnnx(new Uint8Array(readFileSync('mobilenet_v2.onnx')));
 * const logits = model.predict(tf.zeros([1, 224, 224, 3])) as tf.Tensor;   // NHWC input
 * const q = quantizeModel(model, { weights: 'int8-sym-per-channel' });
 */
export function importOnnx(source: Uint8Array | OnnxModel, options: ImportOnnxOptions = {}): tf.LayersModel {
  const model = source instanceof Uint8Array ? readOnnx(source) : source;
  if (typeof model !== 'object' || model === null || !('graph' in model)) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: 'argument `source` of `importOnnx`: expected ONNX bytes (Uint8Array) or an OnnxModel from readOnnx',
    });
  }
  const batchNorm = options.batchNorm ?? 'keep';
  if (batchNorm !== 'keep' && batchNorm !== 'fold') {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`options.batchNorm\` of \`importOnnx\`: expected 'keep' or 'fold', got ${JSON.stringify(batchNorm)}`,
    });
  }
  const { graph } = model;
  const initializerNames = new Set(graph.initializers.keys());
  const inputs = graph.inputs.filter((i) => !initializerNames.has(i.name));
  const inputShapes: Record<string, readonly number[]> = { ...options.inputShapes };
  for (const input of inputs) {
    const shape = inputShapes[input.name] ?? input.shape;
    if (!shape || shape.slice(1).some((d) => typeof d !== 'number' || d < 0)) {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `importOnnx: input '${input.name}' has no static shape [${(input.shape ?? []).map(String).join(', ')}]; pass options.inputShapes { '${input.name}': [1, C, H, W] }`,
        details: { input: input.name },
      });
    }
    // A symbolic batch still folds: shape chains read it as 1 and Reshape keeps the batch axis.
    inputShapes[input.name] = shape.map((d, i) => (i === 0 && typeof d !== 'number' ? 1 : d)) as number[];
  }
  const folded = foldConstants(model, inputShapes);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const ctx = new ImportContext(folded.nodes, folded.constants, { batchNorm }, folded.opset, outputs, folded.shapes);

  const problems: UnsupportedNode[] = [];
  for (const node of folded.nodes) {
    const converter = isDefaultDomain(node) ? CONVERTERS[node.opType] : undefined;
    const reason = converter === undefined ? (isDefaultDomain(node) ? 'no converter for this op' : `op of domain '${node.domain}'`) : checkNode(node, ctx);
    if (reason !== undefined) problems.push({ name: node.name, opType: node.opType, domain: node.domain, reason });
  }
  for (const o of graph.outputs)
    if (folded.constants.has(o.name)) problems.push({ name: o.name, opType: 'output', domain: '', reason: 'the graph output is a constant' });
  if (problems.length > 0) throw unsupportedError(problems, SUPPORTED_OPS);

  registerOnnxLayers();
  const tfInputs = inputs.map((input) => {
    const shape = inputShapes[input.name]! as number[];
    const nhwcTransposed = shape.length === 4 && startsNhwc(ctx, input.name);
    const tfShape = shape.length === 4 && !nhwcTransposed ? [shape[2]!, shape[3]!, shape[1]!] : shape.slice(1);
    const sym = tf.input({ shape: tfShape, name: ctx.name(input.name) });
    ctx.set(input.name, { sym, shape, layout: shape.length === 4 && !nhwcTransposed ? 'nhwc' : 'onnx' });
    return sym;
  });
  try {
    for (const node of folded.nodes) if (!ctx.absorbed.has(node)) CONVERTERS[node.opType]!.convert(node, ctx);
    const tfOutputs = graph.outputs.map((o) => {
      // Channels-first image tensors come out NHWC; everything else (logits, a tensor the graph
      // itself transposed to NHWC) in ONNX order.
      const v = ctx.value(o.name);
      return (v.layout === 'nhwc' || v.layout === 'squeezed' ? ctx.asNhwc(v) : ctx.asOnnx(v)).sym;
    });
    return tf.model({ inputs: tfInputs, outputs: tfOutputs, name: ctx.name(options.name ?? (graph.name || 'onnx_model')) });
  } catch (e) {
    // Every node passed its check, so this is a bug: free the weights built so far, keep nothing partial.
    for (const layer of ctx.layers) layer.dispose();
    throw e;
  }
}

function checkNode(node: OnnxNode, ctx: ImportContext): string | undefined {
  const converter = CONVERTERS[node.opType]!;
  const dynamic = converter.dynamicInputs ?? 1;
  if (dynamic !== 'all') {
    for (let i = 0; i < node.inputs.length; i++) {
      const name = node.inputs[i]!;
      if (name === '') continue;
      const isConstant = ctx.constants.has(name);
      if (i < dynamic && isConstant) return `input ${i} ('${name}') is a constant where a tensor is expected`;
      if (i >= dynamic && !isConstant) return `input ${i} ('${name}') is computed in the graph; only constants are supported there`;
    }
  } else if (node.inputs.every((name) => name === '' || ctx.constants.has(name))) {
    return 'every input is a constant, but the op was not folded';
  }
  return converter.check?.(node, ctx);
}

/** Whether the input's only reader transposes it NHWC → NCHW (tf2onnx): then tfjs takes it as it is. */
function startsNhwc(ctx: ImportContext, input: string): boolean {
  const t = ctx.consumers(input);
  const perm = t[0]?.attributes['perm'];
  return t.length === 1 && t[0]!.opType === 'Transpose' && perm?.type === 'ints' && perm.value.join(',') === '0,3,1,2';
}
