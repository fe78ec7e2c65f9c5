import { QuantTrimError } from '@quant-trim/errors';
import { defaultOpset, subgraphsOf, uniqueName, type OnnxModel, type OnnxNode } from '@quant-trim/onnx-export';

/**
 * Default-domain ops with no new version between opset 13 and 21 in the ONNX changelog
 * (docs/Changelog.md): a node written for any opset from 13 means the same at 21.
 */
const UNCHANGED = new Set([
  'Abs',
  'Acos',
  'Acosh',
  'And',
  'ArgMax',
  'ArgMin',
  'Asin',
  'Asinh',
  'Atan',
  'Atanh',
  'BitShift',
  'Ceil',
  'Celu',
  'Clip',
  'Compress',
  'Concat',
  'ConcatFromSequence',
  'Conv',
  'ConvInteger',
  'ConvTranspose',
  'Cos',
  'Cosh',
  'DepthToSpace',
  'Det',
  'Dropout',
  'DynamicQuantizeLinear',
  'Einsum',
  'Elu',
  'Erf',
  'Exp',
  'Expand',
  'EyeLike',
  'Floor',
  'Gather',
  'GatherElements',
  'GatherND',
  'Gemm',
  'GlobalAveragePool',
  'GlobalLpPool',
  'GlobalMaxPool',
  'Greater',
  'HardSigmoid',
  'Hardmax',
  'InstanceNormalization',
  'LRN',
  'Less',
  'Log',
  'LogSoftmax',
  'LpNormalization',
  'MatMul',
  'MatMulInteger',
  'Max',
  'MaxPool',
  'MaxRoiPool',
  'MaxUnpool',
  'Mean',
  'MeanVarianceNormalization',
  'Min',
  'Mod',
  'Multinomial',
  'Neg',
  'NegativeLogLikelihoodLoss',
  'NonMaxSuppression',
  'NonZero',
  'Not',
  'OneHot',
  'Or',
  'QLinearConv',
  'RandomNormal',
  'RandomNormalLike',
  'RandomUniform',
  'RandomUniformLike',
  'Range',
  'Reciprocal',
  'ReduceSum',
  'ReverseSequence',
  'Round',
  'Selu',
  'SequenceAt',
  'SequenceConstruct',
  'SequenceEmpty',
  'SequenceErase',
  'SequenceInsert',
  'SequenceLength',
  'Shrink',
  'Sigmoid',
  'Sign',
  'Sin',
  'Sinh',
  'Slice',
  'Softmax',
  'SoftmaxCrossEntropyLoss',
  'Softplus',
  'Softsign',
  'SpaceToDepth',
  'SplitToSequence',
  'Sqrt',
  'StringNormalizer',
  'Sum',
  'Tan',
  'Tanh',
  'TfIdfVectorizer',
  'ThresholdedRelu',
  'Tile',
  'TopK',
  'Unique',
  'Xor',
]);

/**
 * Ops with new versions between 14 and 21 that only add element types, or attributes / optional
 * inputs whose defaults keep the old behaviour (Reshape-14 `allowzero` 0, Shape-15 `start`/`end`,
 * Pad-18 `axes`, AveragePool-19 `dilations`, Resize-18 `antialias`/`axes`/`keep_aspect_ratio_policy`,
 * Resize-19 a new mode, LpPool-18 `ceil_mode`, ScatterND/ScatterElements-16/18 `reduction`,
 * RNN/GRU/LSTM-14 `layout` 0, Cast/Q/DQ-19 `saturate` for float8 only, Q/DQ-21 `block_size` 0 and
 * `output_dtype`), and ops introduced in 14–20 whose later versions up to 21 are of that kind.
 * If / Loop / Scan qualify when every op of their subgraphs does.
 */
const COMPATIBLE = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Relu',
  'AveragePool',
  'Bernoulli',
  'BitwiseAnd',
  'BitwiseNot',
  'BitwiseOr',
  'BitwiseXor',
  'BlackmanWindow',
  'HammingWindow',
  'HannWindow',
  'Cast',
  'CastLike',
  'CenterCropPad',
  'Col2Im',
  'Constant',
  'ConstantOfShape',
  'CumSum',
  'DeformConv',
  'DequantizeLinear',
  'QuantizeLinear',
  'Equal',
  'Flatten',
  'GRU',
  'LSTM',
  'RNN',
  'GreaterOrEqual',
  'LessOrEqual',
  'HardSwish',
  'Identity',
  'If',
  'Loop',
  'Scan',
  'IsInf',
  'IsNaN',
  'LayerNormalization',
  'LeakyRelu',
  'LpPool',
  'MelWeightMatrix',
  'Mish',
  'Optional',
  'OptionalGetElement',
  'OptionalHasElement',
  'PRelu',
  'Pad',
  'Pow',
  'QLinearMatMul',
  'Reshape',
  'Resize',
  'STFT',
  'ScatterElements',
  'ScatterND',
  'SequenceMap',
  'Shape',
  'Size',
  'Squeeze',
  'Unsqueeze',
  'Transpose',
  'Trilu',
  'Where',
  'AffineGrid',
  'Gelu',
  'ImageDecoder',
  'RegexFullMatch',
  'StringConcat',
  'StringSplit',
  'BatchNormalization',
]);

const REDUCE_18 = ['ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSumSquare'];

/**
 * Versions up to 21 at which an op's meaning changed for nodes written earlier. A node from an
 * older opset is rewritten (`adapt`) where the new form says the same thing; otherwise it blocks.
 */
const BREAKING: Readonly<Record<string, { version: number; change: string; adapt?: (model: OnnxModel, node: OnnxNode, taken: Set<string>) => void }>> = {
  ...Object.fromEntries(REDUCE_18.map((op) => [op, { version: 18, change: '`axes` moved from an attribute to an input', adapt: axesToInput }])),
  Split: { version: 18, change: 'equal splits need `num_outputs`', adapt: splitCount },
  RoiAlign: { version: 16, change: '`coordinate_transformation_mode` defaults to half_pixel', adapt: roiAlignMode },
  GridSample: { version: 20, change: 'modes renamed (bilinear → linear, bicubic → cubic)', adapt: gridSampleMode },
  DFT: { version: 20, change: '`axis` moved to an input with another default' },
  GroupNormalization: { version: 21, change: 'scale and bias are per channel instead of per group' },
};

function axesToInput(model: OnnxModel, node: OnnxNode, taken: Set<string>): void {
  const axes = node.attributes['axes'];
  delete node.attributes['axes'];
  if (axes?.type !== 'ints') return; // no axes: every axis, in both versions
  const name = uniqueName(taken, `${node.name}_axes`);
  model.graph.initializers.set(name, { name, dataType: 7, dims: [axes.value.length], data: BigInt64Array.from(axes.value, (v) => BigInt(v)) });
  node.inputs = [node.inputs[0]!, name];
}

function splitCount(_model: OnnxModel, node: OnnxNode): void {
  if (node.inputs[1] === undefined || node.inputs[1] === '') {
    node.inputs = node.inputs.slice(0, 1);
    node.attributes['num_outputs'] = { type: 'int', value: node.outputs.length };
  }
}

function roiAlignMode(_model: OnnxModel, node: OnnxNode): void {
  if (node.attributes['coordinate_transformation_mode'] === undefined)
    node.attributes['coordinate_transformation_mode'] = { type: 'string', value: 'output_half_pixel' };
}

function gridSampleMode(_model: OnnxModel, node: OnnxNode): void {
  const mode = node.attributes['mode'];
  const old = mode?.type === 'string' ? mode.value : 'bilinear';
  node.attributes['mode'] = { type: 'string', value: old === 'bilinear' ? 'linear' : old === 'bicubic' ? 'cubic' : old };
}

/** Why a node of `opType` (from an opset-`from` model) cannot be read at opset `to`, or undefined. */
function blockReason(opType: string, from: number, to: number, adaptable: boolean): string | undefined {
  const breaking = BREAKING[opType];
  if (breaking !== undefined && breaking.version > from && breaking.version <= to)
    return breaking.adapt !== undefined && adaptable ? undefined : `its definition changed at opset ${breaking.version} (${breaking.change})`;
  if (breaking !== undefined || UNCHANGED.has(opType) || COMPATIBLE.has(opType)) return undefined;
  return 'it is not in the table of ops checked against the ONNX changelog';
}

/**
 * Raises the default-domain opset import of `model` (in place) to `target` (≤ 21) and the IR
 * version to what that opset needs (10 at 21), when every node keeps its meaning: ops with no new
 * version in between, ops whose new versions only add types or defaulted attributes, and ops whose
 * change has an exact rewrite (Reduce* `axes` attribute → input at 18, Split `num_outputs` at 18,
 * RoiAlign's old default mode at 16, GridSample's renamed modes at 20), which is applied. Subgraph
 * ops are checked but not rewritten. Throws `QT_INVALID_ARGUMENT` naming the first node that
 * blocks the upgrade (before changing anything).
 */
export function upgradeOpset(model: OnnxModel, target: number, why: string, taken: Set<string>): void {
  const current = defaultOpset(model);
  if (current >= target) return;
  const plain = (n: { domain: string }) => n.domain === '' || n.domain === 'ai.onnx';
  for (const node of model.graph.nodes) {
    if (!plain(node)) continue;
    let reason = blockReason(node.opType, current, target, true);
    if (reason === undefined && node.opType === 'BatchNormalization' && node.outputs.filter((o) => o !== '').length > 1)
      reason = 'training-mode outputs changed at opset 14';
    if (reason === undefined) {
      for (const g of subgraphsOf(node)) {
        const inner = g.opTypes.map((op) => [op, blockReason(op, current, target, false)] as const).find(([, r]) => r !== undefined);
        if (inner !== undefined) reason = `its subgraph '${g.attribute}' uses ${inner[0]}, and ${inner[1]}`;
      }
    }
    if (reason !== undefined) {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `${why} need opset ${target}; the model imports opset ${current} and uses ${node.opType} ('${node.name}'), which cannot be upgraded in place: ${reason}. Re-export the model at opset ${target}`,
        details: { opset: current, needed: target, node: node.name },
      });
    }
  }
  for (const node of model.graph.nodes) {
    const breaking = plain(node) ? BREAKING[node.opType] : undefined;
    if (breaking?.adapt !== undefined && breaking.version > current && breaking.version <= target) breaking.adapt(model, node, taken);
  }
  const entry = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (entry !== undefined) entry.version = target;
  else model.opsetImports.push({ domain: '', version: target });
  if (target >= 21) model.irVersion = Math.max(model.irVersion, 10);
  else if (target >= 19) model.irVersion = Math.max(model.irVersion, 9);
}
