import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';

const { onnx } = onnxProto;

/** ONNX TensorProto element types used by the tests (numbers from onnx.proto; 21/22 are UINT4/INT4, IR 10). */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, UINT4: 21, INT4: 22 } as const;

export interface TestTensor {
  name: string;
  dataType: number;
  dims: number[];
  /** Values; int64 and int32 go to int32Data/int64Data, 8/16-bit ints are stored in int32Data as ONNX requires. */
  values: ArrayLike<number>;
}

export interface TestNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, number>;
  domain?: string;
}

export interface TestModel {
  opset: number;
  nodes: TestNode[];
  inputs: { name: string; dataType: number; dims: number[] }[];
  outputs: { name: string; dataType: number; dims: number[] }[];
  initializers?: TestTensor[];
}

function tensorProto(t: TestTensor): InstanceType<typeof onnx.TensorProto> {
  const base = { name: t.name, dataType: t.dataType, dims: t.dims };
  if (t.dataType === DataType.FLOAT) return onnx.TensorProto.create({ ...base, floatData: Array.from(t.values) });
  if (t.dataType === DataType.INT64) return onnx.TensorProto.create({ ...base, int64Data: Array.from(t.values) });
  return onnx.TensorProto.create({ ...base, int32Data: Array.from(t.values) });
}

function valueInfo(v: { name: string; dataType: number; dims: number[] }) {
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: v.dataType,
        shape: onnx.TensorShapeProto.create({ dim: v.dims.map((d) => onnx.TensorShapeProto.Dimension.create({ dimValue: d })) }),
      }),
    }),
  });
}

/** IR version that goes with an opset (opset 21 needs IR 10 for int4/uint16 Q/DQ). */
export function irVersionFor(opset: number): number {
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  return 7;
}

/** Encodes a small model with onnx-proto. Test-only: the real exporter lives in @quant-trim/onnx-export. */
export function buildModel(model: TestModel): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'test',
    node: model.nodes.map((n, i) =>
      onnx.NodeProto.create({
        name: `n${i}`,
        opType: n.opType,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes ?? {}).map(([name, i]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i })),
      }),
    ),
    input: model.inputs.map(valueInfo),
    output: model.outputs.map(valueInfo),
    initializer: (model.initializers ?? []).map(tensorProto),
  });
  const proto = onnx.ModelProto.create({
    irVersion: irVersionFor(model.opset),
    producerName: 'quant-trim-tests',
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: model.opset })],
    graph,
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** Runs a model once in onnxruntime-node (graph optimisation disabled: the ops run as written). */
export async function runOrt(
  modelBytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
  options: ort.InferenceSession.SessionOptions = {},
): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(modelBytes, { graphOptimizationLevel: 'disabled', ...options });
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

export { ort };
