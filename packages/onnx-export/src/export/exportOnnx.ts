import type * as tf from '@tensorflow/tfjs';
import { QuantTrimError } from '@quant-trim/errors';
import type { OnnxModel, ValueInfo } from '../graph/types.js';
import { convertLayer } from './convertLayer.js';
import { writeOnnx } from '../graph/writeOnnx.js';
import { VERSION } from '../version.js';
import { GraphBuilder } from './GraphBuilder.js';
import type { ExportContext, TensorEncoding } from './quantization.js';
import { type ExportTensor, toPlain } from './tfjsLayout.js';

export interface ExportOptions {
  /**
   * 'fp32' (default): the float graph — fake-quant layers export their float weights and activation
   * quantizers vanish. 'qdq': weights of fake-quant layers as integer initializers with
   * DequantizeLinear, activation quantizers as QuantizeLinear → DequantizeLinear from their observed
   * ranges, int32 biases at s_x·s_w (export `quantized.model` from @quant-trim/fake-quant).
   */
  format?: 'fp32' | 'qdq';
  /** ONNX opset, 13 (default) to 21. */
  opset?: number;
  /**
   * Layout of rank-4 model inputs: 'NHWC' (default, like the tfjs model) or 'NCHW' (the usual ONNX
   * layout; the exported graph then takes [N, C, H, W]). Outputs keep tfjs semantics.
   */
  inputLayout?: 'NHWC' | 'NCHW';
  /** Extra `metadata_props` (for example the training scheme and λ schedule as JSON). */
  metadata?: Record<string, string>;
  producerVersion?: string;
}

/** The encodings sidecar: every quantized tensor's grid, for vendor toolchains. */
export interface Encodings {
  version: 1;
  producer: 'quant-trim';
  opset: number;
  tensors: TensorEncoding[];
}

/** An exported model with its encodings sidecar. */
export interface ExportedModel {
  model: OnnxModel;
  encodings: Encodings;
  /** The ONNX file's bytes (`writeOnnx(model)`). */
  bytes(): Uint8Array;
}

const IR_FOR_OPSET: Record<number, number> = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };

/** Distinct grids of the export (weights and activations), for `metadata_props`. */
function schemeSummary(encodings: TensorEncoding[]): string[] {
  const grids = encodings
    .filter((e) => e.kind !== 'bias')
    .map((e) => `${e.kind} ${e.signed ? 'int' : 'uint'}${e.bits} ${e.symmetric ? 'sym' : 'asym'} ${e.granularity}${e.blockSize ? ` ${e.blockSize}` : ''}`);
  return [...new Set(grids)];
}

function valueInfo(name: string, shape: (number | null)[]): ValueInfo {
  return { name, elemType: 1, shape: shape.map((d, i) => (d === null ? (i === 0 ? 'batch' : null) : d)) };
}

/**
 * Exports a plain tfjs LayersModel (Sequential or functional; for fake-quant models, export
 * `stripQuantization(q).model`) as an FP32 ONNX model: weights become float32 initializers in
 * ONNX layouts, rank-4 tensors run channels-first inside the graph with transposes only where
 * tfjs semantics need them, so Flatten → Dense weight order is right. Unsupported layers raise
 * `QT_EXPORT_UNSUPPORTED_OP` naming the layer, its class and the supported list.
 *
 * @example
 * const onnx = exportOnnx(model);                  // OnnxModel (see readOnnx / writeOnnx)
 * const bytes = writeOnnx(onnx);                    // or exportOnnxBytes(model)
 */
export function exportOnnx(model: tf.LayersModel, options: ExportOptions = {}): ExportedModel {
  const opset = options.opset ?? 13;
  const ir = IR_FOR_OPSET[opset];
  if (ir === undefined)
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `options.opset: expected 13 to 21, got ${JSON.stringify(options.opset)}` });
  const format = options.format ?? 'fp32';
  if (format !== 'fp32' && format !== 'qdq')
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `options.format: expected 'fp32' or 'qdq', got ${JSON.stringify(format)}` });
  const b = new GraphBuilder();
  const ctx: ExportContext = { b, format, opset, encodings: [] };
  const mapped = new Map<number, ExportTensor>();
  const inputs: ValueInfo[] = model.inputs.map((t) => {
    const name = (t.sourceLayer as tf.layers.Layer).name;
    b.reserve(name);
    const shape = t.shape as (number | null)[];
    if (shape.length === 4 && options.inputLayout === 'NCHW') {
      mapped.set(t.id, { name, shape, layout: 'nchw' });
      return valueInfo(name, [shape[0]!, shape[3]!, shape[1]!, shape[2]!]);
    }
    mapped.set(t.id, { name, shape, layout: 'plain' });
    return valueInfo(name, shape);
  });
  const done = new Set<string>();
  for (let progress = true; progress; ) {
    progress = false;
    for (const layer of model.layers) {
      if (layer.getClassName() === 'InputLayer') continue;
      layer.inboundNodes.forEach((node, index) => {
        const key = `${layer.name}#${index}`;
        if (done.has(key) || !node.inputTensors.every((t) => mapped.has(t.id))) return;
        done.add(key);
        progress = true;
        const out = convertLayer(
          ctx,
          layer,
          node.inputTensors.map((t) => mapped.get(t.id)!),
        );
        mapped.set(node.outputTensors[0]!.id, out);
      });
    }
  }
  const outputs: ValueInfo[] = model.outputs.map((t) => {
    const tensor = mapped.get(t.id);
    if (tensor === undefined) throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `model output ${t.name} is not reachable from the inputs` });
    const plain = toPlain(b, tensor);
    const name = b.node('Identity', [plain.name], (t.sourceLayer as tf.layers.Layer).name);
    return valueInfo(name, t.shape as (number | null)[]);
  });
  const onnx: OnnxModel = {
    irVersion: ir,
    opsetImports: [{ domain: '', version: opset }],
    producerName: 'quant-trim',
    producerVersion: options.producerVersion ?? VERSION,
    metadata: {
      'quant-trim.onnx-export': VERSION,
      source: 'tfjs-layers',
      format,
      inputLayout: options.inputLayout ?? 'NHWC',
      ...(format === 'qdq' ? { 'quant-trim.schemes': JSON.stringify(schemeSummary(ctx.encodings)) } : {}),
      ...(options.metadata ?? {}),
    },
    graph: { name: model.name, nodes: b.nodes, initializers: b.initializers, inputs, outputs, valueInfo: [] },
  };
  const encodings: Encodings = { version: 1, producer: 'quant-trim', opset, tensors: ctx.encodings };
  return { model: onnx, encodings, bytes: () => writeOnnx(onnx) };
}
