import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);

function versionOf(pkg: string): string | undefined {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

const PACKAGES = [
  '@quant-trim/cli',
  '@quant-trim/quant-grid',
  '@quant-trim/schedulers',
  '@quant-trim/fake-quant',
  '@quant-trim/reverse-prune',
  '@quant-trim/onnx-export',
  '@quant-trim/onnx-import',
  '@quant-trim/backend-eval',
  '@quant-trim/errors',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  'onnxruntime-node',
  'onnxruntime-web',
] as const;

/** Versions of everything that shapes a result: Node, the tfjs backend in use and every package, for reports. */
export function versions(): Record<string, string> {
  const out: Record<string, string> = { node: process.version, platform: `${process.platform}-${process.arch}`, 'tfjs backend': tf.getBackend() ?? 'none' };
  for (const p of PACKAGES) {
    const v = versionOf(p);
    if (v !== undefined) out[p] = v;
  }
  return out;
}
