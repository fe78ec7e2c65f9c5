import { buildModel, DataType } from '@quant-trim/test-utils/onnx';
import { readOnnx, writeOnnx } from '@quant-trim/onnx-export';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli.js';

/** A writable that collects text. */
export function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(w, { text: () => chunks.join('') });
}

/** Runs the CLI in-process: exit code, stdout and stderr. */
export async function run(argv: string[], cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const code = await main(argv, { stdout, stderr, cwd, handleSignals: false });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

export const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `qt-cli-${name}-`));

/** Small, fast training settings: synthetic digits, few samples, one epoch. */
export const FAST_TRAIN = ['--dataset', 'synthetic', '--train-limit', '600', '--test-limit', '200', '--epochs', '1', '--batch-size', '50'];
/** ... and evaluation without the real runtimes. */
export const FAST = [...FAST_TRAIN, '--runtimes', 'none', '--calibration-samples', '64'];
/** Evaluation-only settings (eval). */
export const FAST_EVAL = ['--dataset', 'synthetic', '--train-limit', '600', '--test-limit', '200', '--runtimes', 'none', '--calibration-samples', '64'];

/** A linear classifier in another tool's layout: input [N, ...dims] → Flatten → Gemm → logits [N, 10]. */
export function linearClassifier(dims: readonly number[]): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  const m = readOnnx(
    buildModel({
      opset: 13,
      inputs: [{ name: 'images', dataType: DataType.FLOAT, dims: [1, ...dims] }],
      outputs: [{ name: 'logits', dataType: DataType.FLOAT, dims: [1, 10] }],
      initializers: [{ name: 'w', dataType: DataType.FLOAT, dims: [10, size], values: Array.from({ length: 10 * size }, (_, i) => Math.sin(i * 0.37) * 0.05) }],
      nodes: [
        { opType: 'Flatten', inputs: ['images'], outputs: ['f'] },
        { opType: 'Gemm', inputs: ['f', 'w'], outputs: ['logits'], attributes: { transB: 1 } },
      ],
    }),
  );
  m.graph.inputs[0]!.shape![0] = 'batch';
  m.graph.outputs[0]!.shape![0] = 'batch';
  return writeOnnx(m);
}
