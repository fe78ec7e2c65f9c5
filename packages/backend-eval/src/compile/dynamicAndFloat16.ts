import { cloneModel, implicitInputs, inferElemTypes, uniqueName, type OnnxModel, type OnnxNode, type OnnxTensorData } from '@quant-trim/onnx-export';
import type { PlannedNode } from './plan.js';
import type { WeightQParams } from './weights.js';

const node = (taken: Set<string>, opType: string, inputs: string[], outputs: string[], attributes: OnnxNode['attributes'] = {}): OnnxNode => ({
  name: uniqueName(taken, `${outputs[0]}_${opType}`),
  opType,
  domain: '',
  inputs,
  outputs,
  attributes,
});

/**
 * Dynamic activations, emulated (docs/backends.md#dynamic-activations): the data input of every quantized MatMul / Gemm
 * goes through `DynamicQuantizeLinear` (u8, range of this inference widened to 0, half-even) and a
 * `DequantizeLinear` with the parameters it just computed. Returns the quantized-input tensor names.
 */
export function insertDynamicQuantizers(model: OnnxModel, plan: readonly PlannedNode[], taken: Set<string>): void {
  const { graph } = model;
  const done = new Map<string, string>();
  for (const { node: n, coverage } of plan) {
    if (coverage.numerics !== 'integer') continue;
    const x = n.inputs[0]!;
    let dq = done.get(x);
    if (dq === undefined) {
      const [q, s, zp] = ['quantized', 'scale', 'zero_point'].map((k) => uniqueName(taken, `${x}_dynamic_${k}`)) as [string, string, string];
      dq = uniqueName(taken, `${x}_dynamic_dequantized`);
      graph.nodes.splice(graph.nodes.indexOf(n), 0, node(taken, 'DynamicQuantizeLinear', [x], [q, s, zp]), node(taken, 'DequantizeLinear', [q, s, zp], [dq]));
      done.set(x, dq);
    }
    n.inputs[0] = dq;
  }
}

/**
 * The same dynamic model in ORT's integer form (what `quantize_dynamic` writes, docs/backends.md#onnx-runtime-representation):
 * `DynamicQuantizeLinear → MatMulInteger(x_q, W_q, x_zp, w_zp) → Cast(float) → Mul(s_x·s_w)`
 * (+ bias for Gemm), with a Gemm's `transB` weight stored transposed. Per-tensor weights only.
 * Built from the emulated model: every `DequantizeLinear` of a dynamic input feeding a planned op
 * is bypassed.
 */
export function dynamicNativeModel(
  emulated: OnnxModel,
  plan: readonly PlannedNode[],
  weights: ReadonlyMap<OnnxNode, WeightQParams>,
  taken: Set<string>,
): OnnxModel {
  const model = cloneModel(emulated);
  const { graph } = model;
  const names = new Set(plan.filter((p) => p.coverage.numerics === 'integer').map((p) => p.node.name));
  for (const n of [...graph.nodes]) {
    if (!names.has(n.name)) continue;
    const dqIn = graph.nodes.find((m) => m.outputs[0] === n.inputs[0] && m.opType === 'DequantizeLinear');
    const w = [...weights.entries()].find(([k]) => k.name === n.name)?.[1];
    const dqW = graph.nodes.find((m) => m.outputs[0] === n.inputs[1] && m.opType === 'DequantizeLinear');
    if (dqIn === undefined || w === undefined || dqW === undefined || w.axis !== undefined) continue;
    const [xq, xs, xzp] = dqIn.inputs as [string, string, string];
    // MatMulInteger takes 8-bit operands: 4-bit codes and zero points go in int8 / uint8 containers (same values).
    const as8bit = (name: string): string => {
      const t = graph.initializers.get(name)!;
      if (t.dataType !== 22 && t.dataType !== 21) return name;
      const copy = uniqueName(taken, `${name}_8bit`);
      graph.initializers.set(copy, { ...t, name: copy, dataType: t.dataType === 22 ? 3 : 2 });
      return copy;
    };
    let wq = as8bit(dqW.inputs[0]!);
    const wzp = as8bit(dqW.inputs[2]!);
    const transB = n.opType === 'Gemm' && n.attributes['transB']?.type === 'int' && n.attributes['transB'].value !== 0;
    if (transB) {
      const src = graph.initializers.get(wq)!;
      const [rows, cols] = src.dims as [number, number];
      const t = new (src.data.constructor as Int8ArrayConstructor)(src.data.length);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = (src.data as Int8Array)[r * cols + c]!;
      wq = uniqueName(taken, `${wq}_transposed`);
      graph.initializers.set(wq, { name: wq, dataType: src.dataType, dims: [cols, rows], data: t as OnnxTensorData });
    }
    const out = n.outputs[0]!;
    const acc = uniqueName(taken, `${out}_int32`);
    const accF = uniqueName(taken, `${out}_int32_float`);
    const scale = uniqueName(taken, `${out}_rescale`);
    const mm = uniqueName(taken, `${out}_matmul`);
    const hasBias = n.opType === 'Gemm' && n.inputs[2] !== undefined && n.inputs[2] !== '';
    const replacement = [
      node(taken, 'MatMulInteger', [xq, wq, xzp, wzp], [acc]),
      node(taken, 'Cast', [acc], [accF], { to: { type: 'int', value: 1 } }),
      node(taken, 'Mul', [xs, dqW.inputs[1]!], [scale]),
      node(taken, 'Mul', [accF, scale], [hasBias ? mm : out]),
      ...(hasBias ? [node(taken, 'Add', [mm, n.inputs[2]!], [out])] : []),
    ];
    graph.nodes.splice(graph.nodes.indexOf(n), 1, ...replacement);
  }
  // Drop DequantizeLinear nodes and initializers nobody reads any more.
  pruneUnread(model);
  return model;
}

/**
 * Removes nodes whose outputs nobody reads and initializers nobody reads, repeatedly. Tensors an
 * If / Loop / Scan subgraph reads from the outer scope count as read.
 */
export function pruneUnread(model: OnnxModel): void {
  const { graph } = model;
  const readsOf = (n: OnnxNode) => [...n.inputs, ...implicitInputs(n)];
  for (;;) {
    const read = new Set([...graph.nodes.flatMap(readsOf), ...graph.outputs.map((o) => o.name)]);
    const before = graph.nodes.length;
    graph.nodes = graph.nodes.filter((n) => n.outputs.some((o) => read.has(o)));
    if (graph.nodes.length === before) break;
  }
  const read = new Set([...graph.nodes.flatMap(readsOf), ...graph.outputs.map((o) => o.name), ...graph.inputs.map((i) => i.name)]);
  for (const name of [...graph.initializers.keys()]) if (!read.has(name)) graph.initializers.delete(name);
  graph.inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name) || read.has(i.name));
}

/** Round-trips float32 values through IEEE half precision (round to nearest even, saturating to ±Inf like a float16 cast). */
export function toFloat16Precision(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v) || v === 0) {
      out[i] = v;
      continue;
    }
    const a = Math.abs(v);
    if (a >= 65520) {
      out[i] = v > 0 ? Infinity : -Infinity;
      continue;
    }
    // Spacing of float16 values around |v|: 2^(e − 10) for normals, 2^−24 for subnormals.
    f32[0] = a;
    const e = Math.max(((u32[0]! >>> 23) & 0xff) - 127, -14);
    const ulp = 2 ** (e - 10);
    const q = a / ulp;
    let r = Math.round(q);
    if (r - q === 0.5 && r % 2 !== 0) r -= 1;
    out[i] = Math.sign(v) * r * ulp;
  }
  return out;
}

/**
 * float16 execution, emulated: every tensor a float16 node reads or writes is rounded to float16
 * (`Cast(to: float16) → Cast(to: float)`); float constant inputs are rounded once, offline. The
 * arithmetic inside each op stays float32 (an approximation of float16 accumulation, reported).
 */
export function insertFloat16Rounding(model: OnnxModel, plan: readonly PlannedNode[], taken: Set<string>): void {
  const { graph } = model;
  const fp16Nodes = new Set(plan.filter((p) => p.coverage.numerics === 'float16' || p.coverage.numerics === 'weight-only').map((p) => p.node));
  if (fp16Nodes.size === 0) return;
  const types = inferElemTypes(model);
  const isFloat = (t: string) => (types.get(t) ?? 1) === 1;
  const rounded = new Map<string, string>();
  const producedByFp16 = new Set<string>();
  const castPair = (input: string, output: string): OnnxNode[] => {
    const half = uniqueName(taken, `${input}_float16`);
    return [node(taken, 'Cast', [input], [half], { to: { type: 'int', value: 10 } }), node(taken, 'Cast', [half], [output], { to: { type: 'int', value: 1 } })];
  };
  for (const n of [...graph.nodes]) {
    if (!fp16Nodes.has(n)) continue;
    n.inputs = n.inputs.map((t, i) => {
      if (t === '' || producedByFp16.has(t) || !isFloat(t)) return t;
      const init = graph.initializers.get(t);
      if (init !== undefined) {
        if (init.dataType !== 1 || (n.opType === 'Reshape' && i === 1)) return t;
        let name = rounded.get(t);
        if (name === undefined) {
          name = uniqueName(taken, `${t}_float16_rounded`);
          graph.initializers.set(name, { name, dataType: 1, dims: [...init.dims], data: toFloat16Precision(init.data as Float32Array) });
          rounded.set(t, name);
        }
        return name;
      }
      let name = rounded.get(t);
      if (name === undefined) {
        name = uniqueName(taken, `${t}_float16_rounded`);
        graph.nodes.splice(graph.nodes.indexOf(n), 0, ...castPair(t, name));
        rounded.set(t, name);
      }
      return name;
    });
    const out = n.outputs[0]!;
    if (!isFloat(out)) continue;
    const raw = uniqueName(taken, `${out}_float32`);
    n.outputs[0] = raw;
    graph.nodes.splice(graph.nodes.indexOf(n) + 1, 0, ...castPair(raw, out));
    graph.valueInfo = graph.valueInfo.filter((v) => v.name !== out);
    producedByFp16.add(out);
  }
}
