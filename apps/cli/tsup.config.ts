import { defineConfig } from 'tsup';
import { defineQuantTrimConfig } from '../../tsup.config.base.js';

// An app: no declarations (nothing imports its build); `cli` is the `quant-trim` bin.
export default defineConfig({
  ...defineQuantTrimConfig(
    // trainWorker: the entry of data-parallel training's worker threads (loaded by path beside the others).
    { index: 'src/index.ts', cli: 'src/cli.ts', trainWorker: 'src/train/trainWorker.ts' },
    {
      bundle: ['@quant-trim/internal'],
      external: [
        '@quant-trim/backend-eval',
        '@quant-trim/fake-quant',
        '@quant-trim/onnx-export',
        '@quant-trim/onnx-import',
        '@quant-trim/quant-grid',
        '@quant-trim/reverse-prune',
        '@quant-trim/schedulers',
        '@tensorflow/tfjs',
        '@tensorflow/tfjs-backend-wasm',
        'cac',
        'echarts',
        'mnist',
        'onnxruntime-node',
        'onnxruntime-web',
        'zod',
      ],
    },
  ),
  dts: false,
  platform: 'node',
});
