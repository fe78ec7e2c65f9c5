// Export from tfjs
export { exportOnnx } from './export/exportOnnx.js';
export { SUPPORTED_LAYERS } from './export/convertLayer.js';
// ONNX graph IO
export { readOnnx } from './graph/readOnnx.js';
export { writeOnnx } from './graph/writeOnnx.js';
export { validateGraph } from './graph/validateGraph.js';
export { topologicalOrder } from './graph/topologicalOrder.js';
export { inferShapes } from './graph/inferShapes.js';
export { inferElemTypes } from './graph/inferElemTypes.js';
export { implicitInputs, subgraphsOf } from './graph/subgraphs.js';
export { addOutputs } from './graph/addOutputs.js';
export { insertQdq } from './graph/insertQdq.js';
export { replaceInitializer } from './graph/replaceInitializer.js';
export { cloneModel, defaultOpset, takenNames, uniqueName } from './graph/cloneModel.js';
export { TensorDataType } from './graph/tensorDataType.js';
// Errors
export { QuantTrimError, isQuantTrimError, ErrorCodes } from '@quant-trim/errors';

export type { Encodings, ExportedModel, ExportOptions } from './export/exportOnnx.js';
export type { TensorEncoding } from './export/quantization.js';
export type {
  OnnxAttribute,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxOpaqueParts,
  OnnxOpsetImport,
  OnnxTensor,
  OnnxTensorData,
  ValueInfo,
} from './graph/types.js';
export type { InferShapesOptions } from './graph/inferShapes.js';
export type { SubgraphSummary } from './graph/subgraphs.js';
export type { QdqEdge, QdqElemType, QdqParams } from './graph/insertQdq.js';
export type { ErrorCode } from '@quant-trim/errors';
