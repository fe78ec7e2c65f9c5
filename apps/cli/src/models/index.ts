export { MODEL_NAMES, buildModel, isModelName } from './buildModel.js';
export { describeModel } from './describeModel.js';
export { loadModelJson, modelJsonHandler } from './loadModelJson.js';
export type { BuildModelOptions, LayerSummary, ModelName, ModelSummary } from './types.js';
