import { QuantTrimError, isQuantTrimError } from '@quant-trim/errors';
import { decodeAttribute } from './attributeCodec.js';
import { onnx, toSafeInt } from './onnxProto.js';
import type { proto } from './onnxProto.js';
import { decodeTensor } from './tensorCodec.js';
import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxOpaqueParts, OnnxTensor } from './types.js';
import { validateGraph } from './validateGraph.js';
import { decodeValueInfo } from './valueInfoCodec.js';

/** Sets an own property even for the key `__proto__`, which a plain assignment would turn into a prototype (dropping the entry). */
const setOwn = <T>(o: Record<string, T>, key: string, value: T): void =>
  void Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });

const decodeError = (message: string, cause?: unknown) => new QuantTrimError({ code: 'QT_ONNX_DECODE', message, ...(cause === undefined ? {} : { cause }) });

/**
 * Decodes ONNX model bytes (as written by PyTorch, onnx, ORT or `writeOnnx`) into a typed
 * `OnnxModel` and validates the graph. Tensor data is copied out of `bytes`, so the buffer may be
 * reused afterwards.
 *
 * Corrupt or truncated bytes never escape as protobuf errors: everything is reported as
 * `QT_ONNX_DECODE` (the protobuf message is kept as `cause`), and graph inconsistencies as
 * `QT_ONNX_INVALID_GRAPH`. Not supported, with a coded error: tensors with external data,
 * segmented tensors, STRING tensors and sparse initializers. Fields newer than the ONNX 1.10
 * schema onnx-proto knows are dropped (protobufjs skips unknown fields).
 *
 * @example
 * const model = readOnnx(new Uint8Array(readFileSync('model.onnx')));
 * console.log(model.opsetImports, model.graph.nodes.length);
 */
export function readOnnx(bytes: Uint8Array): OnnxModel {
  if (!(bytes instanceof Uint8Array)) {
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'argument `bytes` of `readOnnx`: expected a Uint8Array' });
  }
  if (bytes.length === 0) throw decodeError('readOnnx: the bytes are empty, not an ONNX model');
  let model: proto.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw decodeError(`readOnnx: ${bytes.length} bytes are not a readable ONNX ModelProto (truncated or corrupt): ${why}`, cause);
  }
  let result: OnnxModel;
  try {
    result = fromProto(model);
  } catch (e) {
    if (isQuantTrimError(e)) throw e;
    throw decodeError(`readOnnx: the ModelProto has malformed contents: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  validateGraph(result.graph);
  return result;
}

function fromProto(m: proto.ModelProto): OnnxModel {
  if (!m.graph) throw decodeError('readOnnx: the ModelProto has no graph (not an ONNX model, or truncated)');
  const irVersion = toSafeInt(m.irVersion);
  if (irVersion === undefined || irVersion <= 0) throw decodeError(`readOnnx: invalid ir_version ${String(m.irVersion)}`);
  const opsetImports = m.opsetImport.map((o) => {
    const version = toSafeInt(o.version);
    if (version === undefined) throw decodeError(`readOnnx: opset import '${o.domain ?? ''}' has an invalid version`);
    return { domain: o.domain ?? '', version };
  });
  const metadata: Record<string, string> = {};
  for (const { key, value } of m.metadataProps) setOwn(metadata, key ?? '', value ?? '');
  const out: OnnxModel = { irVersion, opsetImports, metadata, graph: graphFromProto(m.graph as proto.GraphProto) };
  if (m.producerName) out.producerName = m.producerName;
  if (m.producerVersion) out.producerVersion = m.producerVersion;
  if (m.domain) out.domain = m.domain;
  const modelVersion = toSafeInt(m.modelVersion);
  if (modelVersion) out.modelVersion = modelVersion;
  if (m.docString) out.docString = m.docString;
  const opaque: OnnxOpaqueParts = {};
  if (m.functions.length) opaque.functions = m.functions.map((f) => onnx.FunctionProto.encode(f).finish());
  if (m.trainingInfo.length) opaque.trainingInfo = m.trainingInfo.map((t) => onnx.TrainingInfoProto.encode(t).finish());
  if (m.graph.quantizationAnnotation?.length)
    opaque.quantizationAnnotations = m.graph.quantizationAnnotation.map((a) => onnx.TensorAnnotation.encode(a).finish());
  if (Object.keys(opaque).length > 0) out.opaque = opaque;
  return out;
}

// Decoded messages are class instances (repeated fields always arrays), though the generated
// typings declare nested messages as the optional-field interfaces: hence the casts below.
function graphFromProto(g: proto.GraphProto): OnnxGraph {
  if (g.sparseInitializer.length > 0) throw decodeError(`readOnnx: the graph has ${g.sparseInitializer.length} sparse initializer(s), which are not supported`);
  const initializers = new Map<string, OnnxTensor>();
  g.initializer.forEach((t, i) => {
    const tensor = decodeTensor(t, `initializer #${i}`);
    if (initializers.has(tensor.name)) {
      throw new QuantTrimError({
        code: 'QT_ONNX_INVALID_GRAPH',
        message: `readOnnx: two initializers are named '${tensor.name}'`,
        details: { tensor: tensor.name },
      });
    }
    initializers.set(tensor.name, tensor);
  });
  const nodes = (g.node as proto.NodeProto[]).map((n, i): OnnxNode => {
    const where = `node #${i} '${n.name}' (${n.opType})`;
    const attributes: Record<string, OnnxAttribute> = {};
    for (const a of n.attribute as proto.AttributeProto[]) setOwn(attributes, a.name, decodeAttribute(a, where));
    const node: OnnxNode = { name: n.name, opType: n.opType, domain: n.domain, inputs: [...n.input], outputs: [...n.output], attributes };
    if (n.docString) node.docString = n.docString;
    return node;
  });
  const graph: OnnxGraph = {
    name: g.name,
    nodes,
    initializers,
    inputs: (g.input as proto.ValueInfoProto[]).map(decodeValueInfo),
    outputs: (g.output as proto.ValueInfoProto[]).map(decodeValueInfo),
    valueInfo: (g.valueInfo as proto.ValueInfoProto[]).map(decodeValueInfo),
  };
  if (g.docString) graph.docString = g.docString;
  return graph;
}
