import { QuantTrimError } from '@quant-trim/errors';
import { encodeAttribute } from './attributeCodec.js';
import { onnx } from './onnxProto.js';
import type { proto } from './onnxProto.js';
import { checkTensor, encodeTensor } from './tensorCodec.js';
import type { OnnxModel } from './types.js';
import { validateGraph } from './validateGraph.js';
import { encodeValueInfo } from './valueInfoCodec.js';

function decodeOpaque<T>(parts: Uint8Array[] | undefined, what: string, decode: (b: Uint8Array) => T): T[] {
  return (parts ?? []).map((bytes, i) => {
    try {
      return decode(bytes);
    } catch (cause) {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `argument \`model\` of \`writeOnnx\`: opaque.${what}[${i}] is not an encoded ${what} message`,
        cause,
      });
    }
  });
}

/**
 * Encodes an `OnnxModel` as ONNX bytes. Tensors are written as little-endian raw_data (4-bit
 * types nibble-packed, two codes a byte); empty strings and absent optional fields are omitted.
 * The output is a normal form: `writeOnnx(readOnnx(writeOnnx(m)))` equals `writeOnnx(m)` byte
 * for byte. The graph is validated first, so an edit that broke it fails here, not in a runtime.
 *
 * @throws QuantTrimError `QT_ONNX_INVALID_GRAPH` (see `validateGraph`), `QT_INVALID_ARGUMENT` for
 *   a tensor whose data does not match its type or dims.
 * @example
 * writeFileSync('model.onnx', writeOnnx(readOnnx(bytes)));
 */
export function writeOnnx(model: OnnxModel): Uint8Array {
  const { graph } = model;
  validateGraph(graph);
  const initializer: proto.ITensorProto[] = [];
  for (const [name, tensor] of graph.initializers) {
    if (tensor.name !== name) {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `argument \`model\` of \`writeOnnx\`: initializer key '${name}' holds a tensor named '${tensor.name}'`,
      });
    }
    checkTensor(tensor, 'argument `model` of `writeOnnx`, initializer');
    initializer.push(encodeTensor(tensor));
  }
  const node = graph.nodes.map((n, i): proto.INodeProto => {
    const where = `argument \`model\` of \`writeOnnx\`, node #${i} '${n.name}' (${n.opType})`;
    const out: proto.INodeProto = { input: n.inputs, output: n.outputs, opType: n.opType };
    if (n.name) out.name = n.name;
    if (n.domain) out.domain = n.domain;
    const attribute = Object.entries(n.attributes).map(([name, a]) => encodeAttribute(name, a, where));
    if (attribute.length > 0) out.attribute = attribute;
    if (n.docString) out.docString = n.docString;
    return out;
  });
  const g: proto.IGraphProto = {
    node,
    name: graph.name,
    initializer,
    input: graph.inputs.map(encodeValueInfo),
    output: graph.outputs.map(encodeValueInfo),
    valueInfo: graph.valueInfo.map(encodeValueInfo),
    quantizationAnnotation: decodeOpaque(model.opaque?.quantizationAnnotations, 'quantizationAnnotations', (b) => onnx.TensorAnnotation.decode(b)),
  };
  if (graph.docString) g.docString = graph.docString;
  const m: proto.IModelProto = {
    irVersion: model.irVersion,
    opsetImport: model.opsetImports.map((o) => (o.domain ? { domain: o.domain, version: o.version } : { version: o.version })),
    graph: g,
    metadataProps: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
    functions: decodeOpaque(model.opaque?.functions, 'functions', (b) => onnx.FunctionProto.decode(b)),
    trainingInfo: decodeOpaque(model.opaque?.trainingInfo, 'trainingInfo', (b) => onnx.TrainingInfoProto.decode(b)),
  };
  if (model.producerName) m.producerName = model.producerName;
  if (model.producerVersion) m.producerVersion = model.producerVersion;
  if (model.domain) m.domain = model.domain;
  if (model.modelVersion) m.modelVersion = model.modelVersion;
  if (model.docString) m.docString = model.docString;
  const bytes = onnx.ModelProto.encode(m).finish();
  // protobufjs returns a Node Buffer (often a view of a shared pool); hand out a plain Uint8Array.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
