export { importOnnx } from './importOnnx.js';
export { registerOnnxLayers, ONNX_LAYER_CLASSES } from './layers/registerOnnxLayers.js';
export { SUPPORTED_OPS } from './ops/index.js';
export { OnnxHardSigmoid } from './layers/OnnxHardSigmoid.js';
export { OnnxHardSwish } from './layers/OnnxHardSwish.js';
export { OnnxConstantPad } from './layers/OnnxConstantPad.js';
export { OnnxElementwise } from './layers/OnnxElementwise.js';
export { OnnxGroupedConv2D } from './layers/OnnxGroupedConv2D.js';
export { OnnxSlice } from './layers/OnnxSlice.js';
export { QuantTrimError, isQuantTrimError, ErrorCodes } from '@quant-trim/errors';

export type { ImportOnnxOptions } from './importOnnx.js';
export type { UnsupportedNode } from './unsupportedError.js';
export type { OnnxHardSigmoidArgs } from './layers/OnnxHardSigmoid.js';
export type { OnnxConstantPadArgs } from './layers/OnnxConstantPad.js';
export type { ElementwiseOp, OnnxElementwiseArgs } from './layers/OnnxElementwise.js';
export type { OnnxGroupedConv2DArgs } from './layers/OnnxGroupedConv2D.js';
export type { OnnxSliceArgs } from './layers/OnnxSlice.js';
export type { ErrorCode } from '@quant-trim/errors';
