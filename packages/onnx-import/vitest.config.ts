import { defineQuantTrimTestConfig } from '../../vitest.config.base.js';

export default defineQuantTrimTestConfig({ testTimeout: 600_000 });
