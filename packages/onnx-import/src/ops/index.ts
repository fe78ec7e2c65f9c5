import { Clip, HardSigmoid, HardSwish, LeakyRelu, Relu, Sigmoid, Softmax, Tanh } from './activations.js';
import { BatchNormalization } from './batchNormalization.js';
import { Conv, ConvTranspose } from './conv.js';
import { Add, Concat, Div, Mul, Sub } from './elementwise.js';
import { Gemm, MatMul } from './gemm.js';
import { Identity, Pad } from './misc.js';
import { AveragePool, GlobalAveragePool, MaxPool, ReduceMean } from './pool.js';
import { Flatten, Reshape, Transpose } from './reshape.js';
import { Slice, Split } from './slice.js';
import type { OpConverter } from './types.js';

/**
 * The converters by ONNX op type (default domain). Nodes whose inputs are all known at import time
 * (Constant, Shape, Gather, Unsqueeze, Squeeze, Cast, ReduceProd, ConstantOfShape, and Slice /
 * Transpose / Reshape / arithmetic on constants) never reach this table: `foldConstants` evaluates them.
 */
export const CONVERTERS: Readonly<Record<string, OpConverter>> = {
  Conv,
  ConvTranspose,
  Gemm,
  MatMul,
  BatchNormalization,
  Relu,
  Clip,
  LeakyRelu,
  Sigmoid,
  HardSigmoid,
  HardSwish,
  Tanh,
  Softmax,
  Add,
  Sub,
  Mul,
  Div,
  Concat,
  MaxPool,
  AveragePool,
  GlobalAveragePool,
  ReduceMean,
  Flatten,
  Reshape,
  Transpose,
  Slice,
  Split,
  Pad,
  Identity,
  Dropout: Identity,
};

/** ONNX op types `importOnnx` converts into layers, plus those it folds when their inputs are static. */
export const SUPPORTED_OPS = [
  ...Object.keys(CONVERTERS),
  'Constant',
  'Shape',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Cast',
  'ReduceProd',
  'ConstantOfShape',
] as const;
