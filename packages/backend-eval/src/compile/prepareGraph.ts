import { implicitInputs, uniqueName, type OnnxModel, type OnnxNode, type OnnxTensor } from '@quant-trim/onnx-export';

function floatAttr(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a?.type === 'float' ? a.value : fallback;
}

function intAttr(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a?.type === 'int' ? a.value : fallback;
}

function floatInit(model: OnnxModel, name: string | undefined): OnnxTensor | undefined {
  const t = name === undefined || name === '' ? undefined : model.graph.initializers.get(name);
  return t?.dataType === 1 ? t : undefined;
}

/**
 * Folds inference-mode BatchNormalization into the Conv or Gemm that feeds it (docs/backends.md#order-of-steps,
 * step 1), in place: `W'[c] = W[c]·γ[c]/√(var[c]+ε)`, `b'[c] = (b[c] − mean[c])·γ[c]/√(var[c]+ε) + β[c]`,
 * computed in float64 and rounded to float32 once. Only when the producer's output feeds nothing
 * else and every parameter is a constant float32 initializer; other BatchNormalization nodes stay.
 * Returns the names of the folded BatchNormalization nodes.
 */
export function foldBatchNorm(model: OnnxModel, taken: Set<string>): string[] {
  const { graph } = model;
  const folded: string[] = [];
  const readers = new Map<string, number>();
  for (const n of graph.nodes) for (const i of [...n.inputs, ...implicitInputs(n)]) readers.set(i, (readers.get(i) ?? 0) + 1);
  for (const o of graph.outputs) readers.set(o.name, (readers.get(o.name) ?? 0) + 1);

  for (const bn of [...graph.nodes]) {
    if (bn.opType !== 'BatchNormalization' || bn.domain !== '' || bn.outputs.length !== 1 || intAttr(bn, 'training_mode', 0) !== 0) continue;
    const producer = graph.nodes.find((n) => n.outputs[0] === bn.inputs[0]);
    if (producer === undefined || (producer.opType !== 'Conv' && producer.opType !== 'Gemm') || producer.domain !== '') continue;
    if (readers.get(bn.inputs[0]!) !== 1) continue;
    const [gamma, beta, mean, variance] = bn.inputs.slice(1, 5).map((n) => floatInit(model, n));
    const w = floatInit(model, producer.inputs[1]);
    if (!gamma || !beta || !mean || !variance || !w) continue;
    const channels = gamma.data.length;
    // Output-channel axis of the weight: Conv 0; Gemm transB ? 0 : 1 (and only a 2-D weight).
    let axis = 0;
    if (producer.opType === 'Gemm') {
      if (w.dims.length !== 2 || intAttr(producer, 'transA', 0) !== 0 || floatAttr(producer, 'alpha', 1) !== 1 || floatAttr(producer, 'beta', 1) !== 1)
        continue;
      axis = intAttr(producer, 'transB', 0) !== 0 ? 0 : 1;
    }
    if (w.dims[axis] !== channels) continue;
    const bias = floatInit(model, producer.inputs[2]);
    if (producer.inputs[2] !== undefined && producer.inputs[2] !== '' && (bias === undefined || bias.data.length !== channels)) continue;
    if ((readers.get(w.name) ?? 0) > 1 || (bias !== undefined && (readers.get(bias.name) ?? 0) > 1)) continue;

    const eps = floatAttr(bn, 'epsilon', 1e-5);
    const factor = Array.from({ length: channels }, (_, c) => (gamma.data[c] as number) / Math.sqrt((variance.data[c] as number) + eps));
    const wData = w.data as Float32Array;
    const newW = new Float32Array(wData.length);
    const inner = w.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    for (let i = 0; i < wData.length; i++) newW[i] = wData[i]! * factor[Math.floor(i / inner) % channels]!;
    const newB = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const b = bias === undefined ? 0 : (bias.data[c] as number);
      newB[c] = (b - (mean.data[c] as number)) * factor[c]! + (beta.data[c] as number);
    }
    graph.initializers.set(w.name, { ...w, data: newW });
    const biasName = bias?.name ?? uniqueName(taken, `${producer.name || w.name}_folded_bias`);
    graph.initializers.set(biasName, { name: biasName, dataType: 1, dims: [channels], data: newB });
    producer.inputs[2] = biasName;
    producer.outputs[0] = bn.outputs[0]!;
    graph.nodes.splice(graph.nodes.indexOf(bn), 1);
    graph.valueInfo = graph.valueInfo.filter((v) => v.name !== bn.inputs[0]);
    folded.push(bn.name);
  }
  return folded;
}
