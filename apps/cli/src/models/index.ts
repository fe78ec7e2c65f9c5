export { MODEL_NAMES, buildModel, isModelName } from './buildModel.js';
export { describeModel } from './describeModel.js';
export { FINE_TUNE_LR, assertExportable, importModelFile, importedLine, isOnnxModelPath } from './importModel.js';
export { loadModelJson, modelJsonHandler } from './loadModelJson.js';
export type { ImportedModelInfo } from './importModel.js';
export type { BuildModelOptions, LayerSummary, ModelName, ModelSummary } from './types.js';
