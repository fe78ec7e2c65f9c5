import type { OnnxNode } from '@quant-trim/onnx-export';
import type { ImportContext } from '../build/ImportContext.js';
import { floats } from '../graph/constants.js';
import { floatAttr, intAttr } from './attributes.js';

export interface BatchNormParams {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
  /** ONNX momentum (running = running·momentum + batch·(1 − momentum)), the convention tfjs uses too. */
  momentum: number;
}

/** Why a BatchNormalization node cannot import, or undefined. */
export function checkBatchNorm(node: OnnxNode, _ctx: ImportContext): string | undefined {
  if (intAttr(node, 'training_mode', 0) !== 0) return 'training_mode = 1 (export the model in eval mode)';
  if (node.outputs.slice(1).some((o) => o !== '')) return 'running-statistics outputs (training-mode export)';
  return undefined;
}

export function batchNormParams(node: OnnxNode, ctx: ImportContext): BatchNormParams {
  const [gamma, beta, mean, variance] = node.inputs.slice(1, 5).map((name) => floats(ctx.constant(name)!)) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  return { gamma, beta, mean, variance, epsilon: floatAttr(node, 'epsilon', 1e-5), momentum: floatAttr(node, 'momentum', 0.9) };
}

/**
 * With `batchNorm: 'fold'`, the BatchNormalization that alone reads `tensor` (the output of a Conv
 * or Gemm): its per-channel scale γ/√(σ² + ε) and shift β − μ·scale, and the node (marked as
 * absorbed). Undefined when nothing folds.
 */
export function takeFoldableBatchNorm(ctx: ImportContext, tensor: string): { scale: Float32Array; shift: Float32Array; output: string } | undefined {
  if (ctx.settings.batchNorm !== 'fold') return undefined;
  const bn = ctx.soleConsumer(tensor, 'BatchNormalization');
  if (bn === undefined || bn.inputs[0] !== tensor || checkBatchNorm(bn, ctx) !== undefined) return undefined;
  const p = batchNormParams(bn, ctx);
  const scale = p.gamma.map((g, i) => g / Math.sqrt(p.variance[i]! + p.epsilon));
  const shift = p.beta.map((b, i) => b - p.mean[i]! * scale[i]!);
  ctx.absorbed.add(bn);
  return { scale, shift, output: bn.outputs[0]! };
}

/** Applies a folded BatchNorm to a kernel whose last (flattened) axis is the output channel, and to the bias. */
export function foldInto(kernel: Float32Array, bias: Float32Array, fold: { scale: Float32Array; shift: Float32Array }): void {
  const n = fold.scale.length;
  for (let i = 0; i < kernel.length; i++) kernel[i]! *= fold.scale[i % n]!;
  for (let o = 0; o < n; o++) bias[o] = bias[o]! * fold.scale[o]! + fold.shift[o]!;
}
