export { ErrorCodes } from './codes.js';
export { QuantTrimError, isQuantTrimError, assert, failExpected } from './QuantTrimError.js';
export type { ErrorCode } from './codes.js';
export type { QuantTrimErrorOptions } from './QuantTrimError.js';
