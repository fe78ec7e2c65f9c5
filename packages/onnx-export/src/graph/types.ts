/**
 * The typed, protobuf-free view of an ONNX model that `readOnnx` returns and `writeOnnx` encodes.
 * Plain data: no classes, no protobufjs objects, so models can be built as literals, compared with
 * `toEqual`, and edited by copying. Edits in this package return new models and never write to
 * a tensor's `data`, so unchanged typed arrays are shared between the input and the result.
 *
 * @example
 * const model = readOnnx(bytes);
 * for (const node of model.graph.nodes) console.log(node.opType, node.inputs, '→', node.outputs);
 */
export interface OnnxModel {
  irVersion: number;
  opsetImports: OnnxOpsetImport[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  /** `metadata_props`, in file order. */
  metadata: Record<string, string>;
  graph: OnnxGraph;
  /**
   * Parts of the proto the typed API does not model, kept as encoded protobuf messages so that a
   * read/write round trip preserves them (model-local functions, training info, the graph's
   * quantization annotations). Edits leave them untouched.
   */
  opaque?: OnnxOpaqueParts;
}

export interface OnnxOpsetImport {
  /** `''` is the default ONNX domain (`ai.onnx`). */
  domain: string;
  version: number;
}

export interface OnnxOpaqueParts {
  functions?: Uint8Array[];
  trainingInfo?: Uint8Array[];
  quantizationAnnotations?: Uint8Array[];
}

export interface OnnxGraph {
  name: string;
  docString?: string;
  /** In a topological order (ONNX requires it; `readOnnx` checks it). */
  nodes: OnnxNode[];
  /** Keyed by tensor name, in file order. */
  initializers: Map<string, OnnxTensor>;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  /** `''` for the default ONNX domain. */
  domain: string;
  /** `''` marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  /** In file order. */
  attributes: Record<string, OnnxAttribute>;
  docString?: string;
}

/**
 * A node attribute. The kinds graph code reads are typed; everything else (subgraphs, sparse
 * tensors, type protos, tensor lists, ints beyond 2^53, non-UTF-8 strings, attributes with a doc
 * string or a function reference) is kept as the encoded `AttributeProto` in `raw`.
 */
export type OnnxAttribute =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: OnnxTensor }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'raw'; raw: Uint8Array };

/**
 * Element storage per `dataType`: FLOAT Float32Array, DOUBLE Float64Array, INT8/INT4 Int8Array,
 * UINT8/BOOL/UINT4/FLOAT8* Uint8Array, INT16 Int16Array, UINT16/FLOAT16/BFLOAT16 Uint16Array
 * (raw bits for the float types), INT32 Int32Array, UINT32 Uint32Array, INT64 BigInt64Array,
 * UINT64 BigUint64Array, COMPLEX64/128 Float32Array/Float64Array of interleaved (re, im).
 * 4-bit types hold one code per element; they are nibble-packed only in the file.
 */
export type OnnxTensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

export interface OnnxTensor {
  name: string;
  /** TensorProto element type number (see `TensorDataType`), including IR-10 INT4 = 22, UINT4 = 21. */
  dataType: number;
  dims: number[];
  data: OnnxTensorData;
  docString?: string;
}

/** A graph input, output or intermediate annotation. */
export interface ValueInfo {
  name: string;
  /** Tensor element type; absent when the file gives none (or a non-tensor type, see `rawType`). */
  elemType?: number;
  /** Absent for unknown rank; per dimension a size, a symbolic name, or `null` for unknown. */
  shape?: (number | string | null)[];
  docString?: string;
  /** A non-tensor `TypeProto` (sequence, map, optional, sparse), kept encoded. */
  rawType?: Uint8Array;
}
