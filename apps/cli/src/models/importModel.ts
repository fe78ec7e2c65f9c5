import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { isQuantTrimError, QuantTrimError } from '@quant-trim/errors';
import { exportOnnx, type OnnxModel } from '@quant-trim/onnx-export';
import { importOnnx, registerOnnxLayers } from '@quant-trim/onnx-import';
import { ExitError, EXIT } from '../errors.js';
import { decodeOnnx } from './decodeOnnx.js';

/**
 * The learning rate `train` / `compare` use for an imported (pretrained) model when neither
 * `--lr` nor the config sets one: fine-tuning moves pretrained weights a little, where 0.003 (the
 * default for models trained from scratch) would undo much of the pretraining in the first epoch.
 * Not lower: blank-response suppression (`--blank-suppression`) zeroes the blank responses in a few dozen
 * steps, and at 1e-4 the network could not re-adapt in 2 epochs (digits CNN: 74.7 % float after,
 * from 90.3 %; at 1e-3 90.2 %, 3 seeds).
 */
export const FINE_TUNE_LR = 1e-3;

/** Where an imported model came from, as reports and resume fingerprints record it. */
export interface ImportedModelInfo {
  /** The path as given (`--model` or the config). */
  readonly file: string;
  /** SHA-256 of the ONNX file's bytes, hex. */
  readonly sha256: string;
  readonly bytes: number;
  /** The ONNX input's layout: 'NCHW' (PyTorch) or 'NHWC' (tf2onnx); `exportOnnx` writes it back the same way. */
  readonly inputLayout: 'NCHW' | 'NHWC';
}

/** True when `model` names an ONNX file to import rather than a built-in or a tfjs model.json. */
export function isOnnxModelPath(model: string): boolean {
  return /\.onnx$/i.test(model);
}

function invalid(message: string, hint: string, details: Record<string, unknown> = {}): never {
  throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message, details: { ...details, hint } });
}

/** Whether the graph's image input is NCHW: rank 4 and not read only by an NHWC → NCHW Transpose (tf2onnx). */
function layoutOf(onnx: OnnxModel, input: string, rank: number): 'NCHW' | 'NHWC' {
  if (rank !== 4) return 'NHWC';
  const readers = onnx.graph.nodes.filter((n) => n.inputs.includes(input));
  const perm = readers[0]?.attributes['perm'];
  const transposed = readers.length === 1 && readers[0]!.opType === 'Transpose' && perm?.type === 'ints' && perm.value.join(',') === '0,3,1,2';
  return transposed ? 'NHWC' : 'NCHW';
}

/** The model without a final softmax: training appends its own and wants logits under it. */
function withoutSoftmax(model: tf.LayersModel): tf.LayersModel {
  const last = model.layers.at(-1);
  const isSoftmax =
    last !== undefined &&
    ((last.getClassName() === 'Activation' && (last.getConfig() as { activation?: string }).activation === 'softmax') || last.getClassName() === 'Softmax');
  if (!isSoftmax) return model;
  return tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor, name: model.name });
}

/**
 * Reads an ONNX classifier for `train` / `compare --model model.onnx` and returns a builder of its
 * imported tfjs model (`@quant-trim/onnx-import`, BatchNorm kept), fresh from the file's weights
 * at every call, plus what the report records. The registered custom layers are registered here,
 * before any checkpoint of the model is loaded (`--resume`). Inputs with symbolic non-batch
 * dimensions take the dataset's sample size; a final Softmax is dropped (training wants logits).
 *
 * @throws QT_MODEL_LOAD (file missing or unreadable), QT_ONNX_DECODE, QT_IMPORT_UNSUPPORTED_OP
 *   (every unsupported node named), QT_INVALID_ARGUMENT (input or class count that does not fit
 *   the dataset, with a preprocess hint).
 */
export function importModelFile(
  path: string,
  file: string,
  data: { readonly sampleShape: readonly [number, number, number]; readonly classes: number },
): { info: ImportedModelInfo; build: () => tf.LayersModel } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new QuantTrimError({
      code: 'QT_MODEL_LOAD',
      message: `cannot load model ${path}: ${code === 'ENOENT' ? 'file not found' : (code ?? (e as Error).message)}`,
      cause: e,
      details: { path },
    });
  }
  const onnx = decodeOnnx(bytes, file);
  const initializers = new Set(onnx.graph.initializers.keys());
  const inputs = onnx.graph.inputs.filter((i) => !initializers.has(i.name));
  if (inputs.length !== 1)
    invalid(
      `${file}: expected one image input, the model has ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`,
      'train and compare feed one batch of images to the model',
    );
  const input = inputs[0]!;
  const shape = input.shape ?? [];
  const inputLayout = layoutOf(onnx, input.name, shape.length);
  const [h, w, c] = data.sampleShape;
  // Symbolic non-batch dimensions take the dataset's size (the file then fixes nothing else).
  const symbolic = shape.slice(1).some((d) => typeof d !== 'number' || d < 0);
  const inputShapes = symbolic && shape.length === 4 ? { [input.name]: inputLayout === 'NCHW' ? [1, c, h, w] : [1, h, w, c] } : undefined;
  // Checked once here, so a model that does not fit fails before any training.
  let probe: tf.LayersModel;
  try {
    probe = importOnnx(onnx, { batchNorm: 'keep', ...(inputShapes ? { inputShapes } : {}) });
  } catch (e) {
    if (!isQuantTrimError(e, 'QT_IMPORT_UNSUPPORTED_OP')) throw e;
    throw new QuantTrimError({
      code: 'QT_IMPORT_UNSUPPORTED_OP',
      message: `${file}: ${(e as Error).message.replace(/^importOnnx: /, '')}`,
      cause: e,
      details: {
        ...((e as QuantTrimError).details ?? {}),
        path: file,
        hint: 'export the model with standard ONNX ops that the list above names (e.g. torch.onnx.export without custom ops); eval and inspect read more ops than fine-tuning does',
      },
    });
  }
  try {
    const got = (probe.inputs[0]!.shape as (number | null)[]).slice(1);
    if (got.length !== 3 || got[0] !== h || got[1] !== w || got[2] !== c) {
      const declared = `[${shape.map(String).join(', ')}]`;
      invalid(
        `${file}: the model's input ${declared} (${inputLayout}) does not fit ${h}×${w}×${c} samples of the dataset`,
        "set preprocess.resize / centerCrop / channels in the config to the model's input size, or pass --dataset data of that size",
        { input: shape, sampleShape: data.sampleShape },
      );
    }
    const out = withoutSoftmax(probe).outputs;
    const classes = out.length === 1 && out[0]!.shape.length === 2 ? out[0]!.shape[1] : undefined;
    if (classes !== data.classes) {
      invalid(
        `${file}: expected one [batch, ${data.classes}] output (the dataset has ${data.classes} classes), the model outputs ${out.map((o) => `[${o.shape.map(String).join(', ')}]`).join(', ')}`,
        "fine-tuning keeps the model's head: use a dataset with as many classes as the model outputs",
      );
    }
  } finally {
    probe.dispose();
  }
  registerOnnxLayers();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const info: ImportedModelInfo = { file, sha256, bytes: bytes.byteLength, inputLayout };
  return { info, build: () => withoutSoftmax(importOnnx(onnx, { batchNorm: 'keep', ...(inputShapes ? { inputShapes } : {}) })) };
}

/**
 * Throws a coded error (QT_EXPORT_UNSUPPORTED_OP, exit 3) when `exportOnnx` cannot write `model`:
 * `compare` evaluates ONNX exports, so it checks this before training.
 */
export function assertExportable(model: tf.LayersModel, file: string): void {
  try {
    exportOnnx(model, { format: 'fp32' });
  } catch (e) {
    if (!isQuantTrimError(e, 'QT_EXPORT_UNSUPPORTED_OP')) throw e;
    throw new ExitError(
      `${file} was imported, but its trained checkpoints cannot be exported back to ONNX for evaluation: ${e.message}`,
      EXIT.input,
      'QT_EXPORT_UNSUPPORTED_OP',
      '`quant-trim train --model` still fine-tunes it (tfjs checkpoints); compare needs every layer exportable',
      { cause: e },
    );
  }
}

/** The line reports print: `imported from cnn.onnx (sha256 <64 hex digits>)`. */
export function importedLine(info: Pick<ImportedModelInfo, 'file' | 'sha256'>): string {
  return `imported from ${info.file} (sha256 ${info.sha256})`;
}
