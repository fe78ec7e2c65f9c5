import { defineConfig } from 'tsup';
import { defineQuantTrimConfig } from '../../tsup.config.base.js';

export default defineConfig(defineQuantTrimConfig({ index: 'src/index.ts' }));
