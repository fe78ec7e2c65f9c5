import { defineQuantTrimTestConfig } from '../../vitest.config.base.js';

export default defineQuantTrimTestConfig();
