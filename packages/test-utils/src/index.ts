export { errorCode } from './errorCode.js';
export { readmeExample } from './readmeExample.js';
export { expectClose, mismatches } from './expectClose.js';
export { gaussian, mulberry32, centeredUniform, randomNormal, randomUniform } from './random.js';
export { syntheticDigits } from './syntheticDigits.js';
export { bundledFiles } from './bundleInputs.js';
export { SYSTEM_PYTHON, pythonHas, runPython } from './python.js';
export type { CloseOptions } from './expectClose.js';
export type { PyArray } from './python.js';
