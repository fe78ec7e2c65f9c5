import * as tf from '@tensorflow/tfjs';
import type { OnnxNode } from '@quant-trim/onnx-export';
import type { ConstTensor } from '../graph/constants.js';
import type { Layout } from './layout.js';

/** One ONNX tensor inside the imported model. */
export interface Value {
  sym: tf.SymbolicTensor;
  /** The ONNX shape (batch first, NCHW for images). */
  shape: number[];
  layout: Layout;
  /** Known to be ≥ 0 (after Relu, Clip(≥ 0), Sigmoid…): zero padding then equals −∞ padding for max pooling. */
  nonNegative?: boolean;
  /** [C, H, W] of an `nhwc-flat` tensor. */
  chw?: [number, number, number];
}

export interface ImportSettings {
  batchNorm: 'keep' | 'fold';
}

/** What converters read and write while the tfjs graph is built. */
export class ImportContext {
  readonly values = new Map<string, Value>();
  readonly #names = new Set<string>();
  readonly #consumers = new Map<string, OnnxNode[]>();
  /** Nodes a converter already handled together with an earlier node (BatchNorm folded into a Conv, the Add of MatMul + Add). */
  readonly absorbed = new Set<OnnxNode>();
  /** Every layer built so far (disposed if the build fails). */
  readonly layers: tf.layers.Layer[] = [];

  constructor(
    readonly nodes: readonly OnnxNode[],
    readonly constants: ReadonlyMap<string, ConstTensor>,
    readonly settings: ImportSettings,
    readonly opset: number,
    readonly graphOutputs: ReadonlySet<string>,
    readonly shapes: ReadonlyMap<string, number[] | undefined>,
  ) {
    for (const node of nodes) for (const input of node.inputs) if (input !== '') this.#consumers.set(input, [...(this.#consumers.get(input) ?? []), node]);
  }

  /** A fresh tfjs layer name derived from an ONNX node or tensor name. */
  name(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'layer';
    const start = /^[A-Za-z]/.test(clean) ? clean : `onnx_${clean}`;
    let name = start;
    for (let i = 1; this.#names.has(name); i++) name = `${start}_${i}`;
    this.#names.add(name);
    return name;
  }

  /** The static ONNX shape of a tensor before any layer is built (from shape inference), where known. */
  shapeOf(tensor: string): number[] | undefined {
    return this.values.get(tensor)?.shape ?? this.shapes.get(tensor) ?? this.constants.get(tensor)?.dims;
  }

  consumers(tensor: string): OnnxNode[] {
    return this.#consumers.get(tensor) ?? [];
  }

  /** The single node reading `tensor`, when it is of `opType` and `tensor` is not a graph output. */
  soleConsumer(tensor: string, opType: string): OnnxNode | undefined {
    const list = this.consumers(tensor);
    if (list.length !== 1 || list[0]!.opType !== opType || this.graphOutputs.has(tensor)) return undefined;
    return list[0];
  }

  constant(name: string | undefined): ConstTensor | undefined {
    return name === undefined || name === '' ? undefined : this.constants.get(name);
  }

  value(name: string): Value {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`onnx-import internal: tensor '${name}' has no value`);
    return v;
  }

  set(name: string, value: Value): void {
    this.values.set(name, value);
  }

  /** Applies a layer and sets its weights (tfjs layouts) right away. */
  apply(layer: tf.layers.Layer, inputs: tf.SymbolicTensor | tf.SymbolicTensor[], weights?: { data: Float32Array; shape: number[] }[]): tf.SymbolicTensor {
    const out = layer.apply(inputs) as tf.SymbolicTensor;
    this.layers.push(layer);
    if (weights) {
      const tensors = weights.map((w) => tf.tensor(w.data, w.shape, 'float32'));
      layer.setWeights(tensors);
      tf.dispose(tensors);
    }
    return out;
  }

  /** `v` as a tfjs NHWC tensor (rank-4 ONNX tensors only). */
  asNhwc(v: Value): Value {
    if (v.layout === 'nhwc') return v;
    const c = v.shape[1]!;
    if (v.layout === 'squeezed')
      return { ...v, layout: 'nhwc', sym: this.apply(tf.layers.reshape({ targetShape: [1, 1, c], name: this.name(`${v.sym.name}_nhwc`) }), v.sym) };
    if (v.layout === 'onnx' && v.shape.length === 4)
      return { ...v, layout: 'nhwc', sym: this.apply(tf.layers.permute({ dims: [2, 3, 1], name: this.name(`${v.sym.name}_nhwc`) }), v.sym) };
    throw new Error(`onnx-import internal: cannot hold a ${v.layout} tensor of rank ${v.shape.length} as NHWC`);
  }

  /** `v` in ONNX axis order. */
  asOnnx(v: Value): Value {
    switch (v.layout) {
      case 'onnx':
        return v;
      case 'nhwc':
        return { ...v, layout: 'onnx', sym: this.apply(tf.layers.permute({ dims: [3, 1, 2], name: this.name(`${v.sym.name}_nchw`) }), v.sym) };
      case 'squeezed': {
        const c = v.shape[1]!;
        return { ...v, layout: 'onnx', sym: this.apply(tf.layers.reshape({ targetShape: [c, 1, 1], name: this.name(`${v.sym.name}_nchw`) }), v.sym) };
      }
      case 'nhwc-flat': {
        const [c, h, w] = v.chw!;
        const image = this.apply(tf.layers.reshape({ targetShape: [h, w, c], name: this.name(`${v.sym.name}_hwc`) }), v.sym);
        const nchw = this.apply(tf.layers.permute({ dims: [3, 1, 2], name: this.name(`${v.sym.name}_chw`) }), image);
        const { chw: _chw, ...rest } = v;
        return { ...rest, layout: 'onnx', sym: this.apply(tf.layers.flatten({ name: this.name(`${v.sym.name}_flat`) }), nchw) };
      }
    }
  }
}
