import { defineConfig } from 'tsup';
import { defineQuantTrimConfig } from '../../tsup.config.base.js';

export default defineConfig(
  defineQuantTrimConfig(
    { index: 'src/index.ts', node: 'src/node.ts' },
    { bundle: ['@quant-trim/internal'], external: ['onnx-proto', '@tensorflow/tfjs', 'onnxruntime-node', '@quant-trim/quant-grid'] },
  ),
);
