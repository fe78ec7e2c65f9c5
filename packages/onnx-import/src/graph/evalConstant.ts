import type { OnnxNode } from '@quant-trim/onnx-export';
import { type ConstTensor, numbers, sizeOf } from './constants.js';

type Attrs = OnnxNode['attributes'];
const intAttr = (a: Attrs, name: string, fallback: number): number => (a[name]?.type === 'int' ? (a[name] as { value: number }).value : fallback);
const intsAttr = (a: Attrs, name: string): number[] | undefined => (a[name]?.type === 'ints' ? (a[name] as { value: number[] }).value : undefined);

const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);
const make = (dims: number[], values: number[], kind: ConstTensor['kind']): ConstTensor => ({
  dims,
  kind,
  data: kind === 'float' ? Float32Array.from(values) : values,
});

function strides(dims: number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1]! * dims[i + 1]!;
  return s;
}

/** The sub-tensor at the given indices per axis (their cartesian product). */
function take(x: ConstTensor, picks: number[][]): ConstTensor {
  const src = strides(x.dims);
  const values = numbers(x);
  const dims = picks.map((p) => p.length);
  const out: number[] = [];
  const idx = new Array<number>(dims.length).fill(0);
  for (let o = 0; o < sizeOf(dims); o++) {
    out.push(values[idx.reduce((s0, v, d) => s0 + picks[d]![v]! * src[d]!, 0)]!);
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d]! < dims[d]!) break;
      idx[d] = 0;
    }
  }
  return make(dims, out, x.kind);
}

/** NumPy broadcasting of two constants through `f`. */
function broadcast(a: ConstTensor, b: ConstTensor, f: (x: number, y: number) => number, kind: ConstTensor['kind']): ConstTensor | undefined {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pa = [...new Array<number>(rank - a.dims.length).fill(1), ...a.dims];
  const pb = [...new Array<number>(rank - b.dims.length).fill(1), ...b.dims];
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (pa[i] !== pb[i] && pa[i] !== 1 && pb[i] !== 1) return undefined;
    dims.push(Math.max(pa[i]!, pb[i]!));
  }
  const sa = strides(pa);
  const sb = strides(pb);
  const so = strides(dims);
  const va = numbers(a);
  const vb = numbers(b);
  const out: number[] = [];
  for (let i = 0; i < sizeOf(dims); i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      const k = Math.floor(i / so[d]!) % dims[d]!;
      ia += (pa[d] === 1 ? 0 : k) * sa[d]!;
      ib += (pb[d] === 1 ? 0 : k) * sb[d]!;
    }
    out.push(f(va[ia]!, vb[ib]!));
  }
  return make(dims, out, kind);
}

const BINARY: Record<string, (x: number, y: number, int: boolean) => number> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y, int) => (int ? Math.trunc(x / y) : x / y),
};

/**
 * Evaluates one node whose inputs are all constants (the shape arithmetic exporters emit), or
 * returns undefined when this op (or this use of it) is not folded here.
 */
export function evalConstant(node: OnnxNode, inputs: (ConstTensor | undefined)[], opset: number): ConstTensor[] | undefined {
  const a = node.attributes;
  const x = inputs[0];
  switch (node.opType) {
    case 'Identity':
    case 'Dropout':
      return x && [x];
    case 'Cast': {
      if (!x) return undefined;
      const to = intAttr(a, 'to', 1);
      const kind = to === 1 || to === 11 ? 'float' : 'int';
      return [
        make(
          [...x.dims],
          numbers(x).map((v) => (kind === 'int' ? Math.trunc(v) : v)),
          kind,
        ),
      ];
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const y = inputs[1];
      if (!x || !y) return undefined;
      const kind = x.kind === 'float' || y.kind === 'float' ? 'float' : 'int';
      const r = broadcast(x, y, (p, q) => BINARY[node.opType]!(p, q, kind === 'int'), kind);
      return r && [r];
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      if (!x) return undefined;
      const axes = opset >= 13 ? (inputs[1] ? numbers(inputs[1]) : undefined) : intsAttr(a, 'axes');
      if (node.opType === 'Squeeze') {
        const drop = new Set((axes ?? x.dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((ax) => norm(ax, x.dims.length)));
        return [{ ...x, dims: x.dims.filter((_, i) => !drop.has(i)) }];
      }
      if (!axes) return undefined;
      const rank = x.dims.length + axes.length;
      const add = new Set(axes.map((ax) => norm(ax, rank)));
      const dims: number[] = [];
      for (let i = 0, j = 0; i < rank; i++) dims.push(add.has(i) ? 1 : x.dims[j++]!);
      return [{ ...x, dims }];
    }
    case 'Concat': {
      if (inputs.some((t) => t === undefined) || inputs.length === 0) return undefined;
      const ts = inputs as ConstTensor[];
      const rank = ts[0]!.dims.length;
      const axis = norm(intAttr(a, 'axis', 0), rank);
      if (axis !== 0 && ts.some((t) => sizeOf(t.dims.slice(0, axis)) !== 1)) return undefined;
      const kind = ts.some((t) => t.kind === 'float') ? 'float' : 'int';
      const dims = [...ts[0]!.dims];
      dims[axis] = ts.reduce((s, t) => s + t.dims[axis]!, 0);
      return [make(dims, ts.flatMap(numbers), kind)];
    }
    case 'Gather': {
      const idx = inputs[1];
      if (!x || !idx || x.dims.length !== 1) return undefined;
      const values = numbers(x);
      const picked = numbers(idx).map((i) => values[i < 0 ? i + values.length : i]!);
      return [make([...idx.dims], picked, x.kind)];
    }
    case 'Slice': {
      if (!x) return undefined;
      const at = (i: number) => (inputs[i] ? numbers(inputs[i]!) : undefined);
      const [starts, ends, axes, steps] =
        opset >= 10 ? [at(1), at(2), at(3), at(4)] : [intsAttr(a, 'starts'), intsAttr(a, 'ends'), intsAttr(a, 'axes'), undefined];
      if (!starts || !ends) return undefined;
      const picks = x.dims.map((d) => Array.from({ length: d }, (_, i) => i));
      starts.forEach((s0, k) => {
        const axis = norm(axes?.[k] ?? k, x.dims.length);
        const dim = x.dims[axis]!;
        const step = steps?.[k] ?? 1;
        let begin = s0 < 0 ? s0 + dim : s0;
        let stop = ends[k]! < 0 ? ends[k]! + dim : ends[k]!;
        begin = step > 0 ? Math.min(Math.max(begin, 0), dim) : Math.min(Math.max(begin, 0), dim - 1);
        stop = step > 0 ? Math.min(Math.max(stop, 0), dim) : Math.min(Math.max(stop, -1), dim - 1);
        const list: number[] = [];
        for (let i = begin; step > 0 ? i < stop : i > stop; i += step) list.push(i);
        picks[axis] = list;
      });
      return [take(x, picks)];
    }
    case 'Transpose': {
      if (!x) return undefined;
      const perm = intsAttr(a, 'perm') ?? x.dims.map((_, i) => x.dims.length - 1 - i);
      const dims = perm.map((p) => x.dims[p]!);
      const src = strides(x.dims);
      const values = numbers(x);
      const out: number[] = [];
      const idx = new Array<number>(dims.length).fill(0);
      for (let o = 0; o < sizeOf(dims); o++) {
        out.push(values[idx.reduce((s0, v, d) => s0 + v * src[perm[d]!]!, 0)]!);
        for (let d = dims.length - 1; d >= 0; d--) {
          if (++idx[d]! < dims[d]!) break;
          idx[d] = 0;
        }
      }
      return [make(dims, out, x.kind)];
    }
    case 'Reshape': {
      const shape = inputs[1];
      if (!x || !shape) return undefined;
      const target = numbers(shape).map((d, i) => (d === 0 ? x.dims[i]! : d));
      const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      return [{ ...x, dims: target.map((d) => (d === -1 ? sizeOf(x.dims) / known : d)) }];
    }
    case 'ReduceProd': {
      if (!x || x.dims.length !== 1) return undefined;
      return [make(intAttr(a, 'keepdims', 1) ? [1] : [], [numbers(x).reduce((p, v) => p * v, 1)], x.kind)];
    }
    case 'ConstantOfShape': {
      if (!x) return undefined;
      const value = a['value']?.type === 'tensor' ? a['value'].value : undefined;
      const fill = value ? Number(value.data[0]) : 0;
      const dims = numbers(x);
      const kind = value && value.dataType !== 1 ? 'int' : 'float';
      return [make(dims, new Array<number>(sizeOf(dims)).fill(fill), kind)];
    }
    default:
      return undefined;
  }
}
