import { defineConfig } from 'tsup';
import { defineQuantTrimConfig } from '../../tsup.config.base.js';

export default defineConfig(
  defineQuantTrimConfig(
    { index: 'src/index.ts', node: 'src/node.ts' },
    { bundle: ['@quant-trim/internal'], external: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@quant-trim/quant-grid', '@quant-trim/schedulers'] },
  ),
);
