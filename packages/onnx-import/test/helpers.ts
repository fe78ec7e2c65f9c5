import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { SYSTEM_PYTHON, pythonHas } from '@quant-trim/test-utils';
import { ort } from '@quant-trim/test-utils/onnx';

/** Debian's torch + torchvision + onnx, or why the PyTorch tests skip. */
export const torch = pythonHas(['torch', 'torchvision', 'onnx']);
if (!torch.ok) console.warn(`skipping onnx-import's PyTorch tests: ${torch.reason}`);

const script = (name: string) => fileURLToPath(new URL(`../scripts/${name}`, import.meta.url));

function python(args: string[]): string {
  const result = spawnSync(SYSTEM_PYTHON, args, { encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) throw new Error(`${args[0]} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** A random-init torchvision classifier (BatchNorm recalibrated) exported to `out` at opset 13. */
export function exportTorchvision(model: string, size: number, out: string, options: { foldBn?: boolean; opset?: number } = {}): void {
  python([
    script('export_torchvision.py'),
    '--model',
    model,
    '--size',
    String(size),
    '--out',
    out,
    ...(options.foldBn ? ['--fold-bn'] : []),
    ...(options.opset ? ['--opset', String(options.opset)] : []),
  ]);
}

/** The reference PyTorch CNN trained by scripts/train_cnn.py; returns its test accuracy. */
export function trainCnn(out: string, options: { epochs: number; limit?: number }): { accuracy: number; train: number; test: number } {
  const stdout = python([
    script('train_cnn.py'),
    '--out',
    out,
    '--epochs',
    String(options.epochs),
    ...(options.limit ? ['--limit', String(options.limit)] : []),
  ]);
  return JSON.parse(stdout.trim().split('\n').pop()!) as { accuracy: number; train: number; test: number };
}

/** Runs a python snippet that writes an ONNX model to `sys.argv[1]`. */
export function pythonExport(code: string, out: string): void {
  python(['-c', code, out]);
}

/** Seeded N(0, 1) NCHW data. */
export function nchwInput(dims: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal(dims, 0, 1, 'float32', seed).dataSync() as Float32Array);
}

/** ONNX Runtime's first output on an NCHW input fed to the first graph input (graph optimisation disabled). */
export async function ortOutput(bytes: Uint8Array, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  try {
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) });
    return out[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** The imported model's first output on the same NCHW input (fed as NHWC). */
export function tfOutput(model: tf.LayersModel, input: Float32Array, dims: number[]): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor(input, dims);
    const y = model.predict(dims.length === 4 ? tf.transpose(x, [0, 2, 3, 1]) : x) as tf.Tensor;
    return (y.rank === 4 ? tf.transpose(y, [0, 3, 1, 2]) : y).dataSync() as Float32Array;
  });
}

/** max |actual − expected| / max |expected| (the error measure onnx-export's verifyExport uses). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

export { memoryIO } from '@quant-trim/test-utils/tfjs';
