import { Clip, HardSigmoid, HardSwish, LeakyRelu, Relu, Sigmoid, Softmax, Tanh } from './activations.js';
import { BatchNormalization } from './batchNormalization.js';
import { Conv, ConvTranspose } from './conv.js';
import { Add, Concat, Div, Mul, Sub } from './elementwise.js';
import { Gemm, MatMul } from './gemm.js';
import { Identity, Pad } from './misc.js';
import { AveragePool, GlobalAveragePool, MaxPool, ReduceMean } from './pool.js';
import { Flatten, Reshape, Transpose } from './reshape.js';
import type { OpConverter } from './types.js';

/**
 * The converters by ONNX op type (default domain). Constant, Shape, Gather, Unsqueeze, Squeeze,
 * Cast, Slice, ReduceProd, ConstantOfShape and arithmetic on constants never reach this table:
 * `foldConstants` evaluates them (and Transpose / Reshape / arithmetic on constants) at import time.
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
  Pad,
  Identity,
  Dropout: Identity,
};

/** ONNX op types `importOnnx` converts into layers, plus those it folds when their inputs are static. */
export const SUPPORTED_OPS = [...Object.keys(CONVERTERS), 'Constant', 'Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Cast', 'Slice', 'ReduceProd', 'ConstantOfShape'] as const;
