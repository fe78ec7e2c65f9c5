import * as tf from '../tf.js';

type Sym = tf.SymbolicTensor;
type Node = tf.layers.Layer['inboundNodes'][number];

export interface RebuildVisitor {
  /** Called once per model input with the new `tf.input`; returns the tensor downstream layers see. */
  input?(input: Sym, source: Sym): Sym;
  /** Called once per (layer, inbound node) in topological order; returns the new outputs of that node. */
  node(layer: tf.layers.Layer, node: Node, nodeIndex: number, inputs: Sym[]): Sym[];
}

/**
 * Rebuilds a LayersModel's graph (Sequential or functional, shared layers included) as a new
 * functional model, letting `visitor` replace every node. Only nodes reachable from the model's
 * inputs are visited, so layers shared with other models are handled correctly.
 */
export function rebuildGraph(model: tf.LayersModel, visitor: RebuildVisitor, name: string, reserved: Set<string>): tf.LayersModel {
  const mapped = new Map<number, Sym>();
  const inputs = model.inputs.map((t) => {
    const base = (t.sourceLayer as tf.layers.Layer).name;
    let inputName = base;
    for (let i = 1; reserved.has(inputName); i++) inputName = `${base}_${i}`;
    reserved.add(inputName);
    const input = tf.input({ shape: t.shape.slice(1), dtype: t.dtype, name: inputName });
    mapped.set(t.id, visitor.input ? visitor.input(input, t) : input);
    return input;
  });
  const done = new Set<string>();
  for (let progress = true; progress; ) {
    progress = false;
    for (const layer of model.layers) {
      if (layer.getClassName() === 'InputLayer') continue;
      layer.inboundNodes.forEach((node, nodeIndex) => {
        const key = `${layer.name}#${nodeIndex}`;
        if (done.has(key) || !node.inputTensors.every((t) => mapped.has(t.id))) return;
        done.add(key);
        progress = true;
        const outs = visitor.node(
          layer,
          node,
          nodeIndex,
          node.inputTensors.map((t) => mapped.get(t.id)!),
        );
        node.outputTensors.forEach((t, i) => mapped.set(t.id, outs[i]!));
      });
    }
  }
  const outputs = model.outputs.map((t) => {
    const out = mapped.get(t.id);
    if (out === undefined) throw new Error(`output ${t.name} is not reachable from the model inputs`);
    return out;
  });
  return tf.model({ inputs, outputs, name });
}

/** A fresh copy of any layer class registered with tf.serialization, from its config. */
export function cloneLayer(layer: tf.layers.Layer): tf.layers.Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
  if (entry === undefined) throw new Error(`layer class ${layer.getClassName()} is not registered with tf.serialization`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, layer.getConfig()) as tf.layers.Layer;
}
