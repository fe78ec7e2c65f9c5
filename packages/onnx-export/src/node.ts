// Node-only helpers (file system, onnxruntime-node); the main entry stays browser-safe.
export { saveOnnx } from './node/saveOnnx.js';
export { verifyExport } from './node/verifyExport.js';
export type { FusedCheck, VerifyOptions, VerifyResult } from './node/verifyExport.js';
