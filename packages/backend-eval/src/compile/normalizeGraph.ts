import { implicitInputs, type OnnxModel, type OnnxNode, type OnnxTensor } from '@quant-trim/onnx-export';

/** What `normalizeGraph` removed: `Constant` nodes folded to initializers, `Identity` / inference `Dropout` nodes bypassed. */
export interface GraphNormalization {
  readonly constants: readonly string[];
  readonly identities: readonly string[];
}

/** The tensor a `Constant` node holds, or undefined for kinds that stay a node (strings, sparse). */
function constantTensor(node: OnnxNode, name: string): OnnxTensor | undefined {
  const a = node.attributes;
  const value = a['value'];
  if (value?.type === 'tensor') return { ...value.value, name };
  const f = a['value_float'];
  if (f?.type === 'float') return { name, dataType: 1, dims: [], data: Float32Array.of(f.value) };
  const fs = a['value_floats'];
  if (fs?.type === 'floats') return { name, dataType: 1, dims: [fs.value.length], data: Float32Array.from(fs.value) };
  const i = a['value_int'];
  if (i?.type === 'int') return { name, dataType: 7, dims: [], data: BigInt64Array.of(BigInt(i.value)) };
  const is = a['value_ints'];
  if (is?.type === 'ints') return { name, dataType: 7, dims: [is.value.length], data: BigInt64Array.from(is.value, (v) => BigInt(v)) };
  return undefined;
}

/** A Dropout that is the identity: inference mode (no `training_mode`, or a constant false one) and no mask anyone reads. */
function inferenceDropout(model: OnnxModel, node: OnnxNode, read: ReadonlySet<string>): boolean {
  if (node.opType !== 'Dropout') return false;
  const mask = node.outputs[1];
  if (mask !== undefined && mask !== '' && read.has(mask)) return false;
  const mode = node.inputs[2];
  if (mode === undefined || mode === '') return true;
  const t = model.graph.initializers.get(mode);
  return t !== undefined && t.data.length === 1 && Number(t.data[0]) === 0;
}

/**
 * Rewrites what exporters write into what the planner expects, in place and without changing the
 * function (step 0 of "Compiling a model for a profile" in this package's README), the way vendor
 * converters fold them before partitioning:
 * - default-domain `Constant` nodes become initializers of the same name (PyTorch writes ReLU6 /
 *   clamp bounds, reshape targets and sometimes weights this way), so bounds are never quantized
 *   as activations and Constant weights are quantized as weights;
 * - `Identity` nodes and inference-mode `Dropout` nodes (identities too) are bypassed: readers of
 *   an Identity of an initializer get their own initializer (same data; PyTorch's deduplicated
 *   biases), readers of an Identity of a tensor read that tensor. One that writes a graph output,
 *   or whose output a subgraph reads, stays.
 * Constants whose output is a graph output, and string / sparse constants, stay nodes.
 */
export function normalizeGraph(model: OnnxModel): GraphNormalization {
  const { graph } = model;
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const pinned = new Set([...graphOutputs, ...graph.nodes.flatMap(implicitInputs)]);
  const constants: string[] = [];
  const identities: string[] = [];
  const rename = new Map<string, string>();
  const aliased = new Set<string>();
  const resolve = (t: string): string => {
    let r = t;
    while (rename.has(r)) r = rename.get(r)!;
    return r;
  };
  const readBefore = new Set([...graph.nodes.flatMap((n) => [...n.inputs, ...implicitInputs(n)]), ...graphOutputs]);
  const kept: OnnxNode[] = [];
  for (const node of graph.nodes) {
    node.inputs = node.inputs.map(resolve);
    const out = node.outputs[0];
    const plain = node.domain === '' || node.domain === 'ai.onnx';
    if (plain && node.opType === 'Constant' && out !== undefined && !graphOutputs.has(out)) {
      const tensor = constantTensor(node, out);
      if (tensor !== undefined) {
        graph.initializers.set(out, tensor);
        constants.push(node.name);
        continue;
      }
    }
    if (
      plain &&
      (node.opType === 'Identity' || inferenceDropout(model, node, readBefore)) &&
      out !== undefined &&
      !pinned.has(out) &&
      node.inputs[0] !== undefined &&
      node.inputs[0] !== ''
    ) {
      const source = graph.initializers.get(node.inputs[0]);
      if (source !== undefined) {
        graph.initializers.set(out, { ...source, name: out });
        aliased.add(node.inputs[0]);
      } else {
        rename.set(out, node.inputs[0]);
      }
      graph.valueInfo = graph.valueInfo.filter((v) => v.name !== out || source !== undefined);
      identities.push(node.name);
      continue;
    }
    kept.push(node);
  }
  graph.nodes = kept;
  // Initializers only Identity nodes read are gone with them (ORT warns about unused initializers).
  const read = new Set([...kept.flatMap((n) => [...n.inputs, ...implicitInputs(n)]), ...graphOutputs, ...graph.inputs.map((v) => v.name)]);
  for (const source of aliased) if (!read.has(source)) graph.initializers.delete(source);
  return { constants, identities };
}
