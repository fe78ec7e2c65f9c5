import { defineConfig } from 'tsup';
import { defineQuantTrimConfig } from '../../tsup.config.base.js';

export default defineConfig(
  defineQuantTrimConfig(
    { index: 'src/index.ts', profileWorker: 'src/evaluate/profileWorker.ts' },
    { bundle: ['@quant-trim/internal'], external: ['@quant-trim/quant-grid', '@quant-trim/onnx-export', 'onnxruntime-node', 'onnxruntime-web', 'tinypool'] },
  ),
);
