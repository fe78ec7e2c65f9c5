import { defineConfig } from 'tsup';
import { defineQuantTrimConfig } from '../../tsup.config.base.js';

export default defineConfig(
  defineQuantTrimConfig(
    { index: 'src/index.ts' },
    { bundle: ['@quant-trim/internal'], external: ['@tensorflow/tfjs', '@quant-trim/onnx-export', '@quant-trim/fake-quant'] },
  ),
);
