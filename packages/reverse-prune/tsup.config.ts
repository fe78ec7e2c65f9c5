import { defineConfig } from 'tsup';
import { defineQuantTrimConfig } from '../../tsup.config.base.js';

export default defineConfig(
  defineQuantTrimConfig(
    { index: 'src/index.ts', arrays: 'src/arrays.ts', tfjsSetup: 'src/tfjsSetup.ts', 'tfjsSetup.node': 'src/tfjsSetup.node.ts' },
    { bundle: ['@quant-trim/internal'], external: [/^@tensorflow\//, '#tfjs-setup', '@quant-trim/quant-grid', '@quant-trim/schedulers'] },
  ),
);
