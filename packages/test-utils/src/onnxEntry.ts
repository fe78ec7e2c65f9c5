// The ONNX Runtime helpers live on their own subpath (`@quant-trim/test-utils/onnx`), so tests
// that do not run models never load onnxruntime-node.
export { DataType, buildModel, irVersionFor, ort, runOrt } from './onnx.js';
export type { TestModel, TestNode, TestTensor } from './onnx.js';
export { exactIntegerKernels } from './integerKernels.js';
