import type { OnnxAttribute } from './types.js';

/** Static shape: every dimension a known size. */
export type Shape = number[];

/** What a shape rule sees of one node. */
export interface ShapeContext {
  /** Shape of input `i`, undefined when unknown or omitted. */
  input(i: number): Shape | undefined;
  /** Integer value of input `i` when it is a small constant (initializer or Constant node). */
  value(i: number): number[] | undefined;
  attributes: Record<string, OnnxAttribute>;
  inputCount: number;
}

/** A rule returns one entry per output (missing entries are unknown); it throws `ShapeConflict` when the inputs cannot go together. */
export type ShapeRule = (ctx: ShapeContext) => (Shape | undefined)[];

/** Raised by rules on inconsistent shapes; `inferShapes` turns it into a coded error naming the node. */
export class ShapeConflict extends Error {}

export function attrInt(attrs: Record<string, OnnxAttribute>, name: string, fallback: number): number {
  const a = attrs[name];
  return a?.type === 'int' ? a.value : fallback;
}

export function attrInts(attrs: Record<string, OnnxAttribute>, name: string): number[] | undefined {
  const a = attrs[name];
  return a?.type === 'ints' ? a.value : undefined;
}

function attrString(attrs: Record<string, OnnxAttribute>, name: string, fallback: string): string {
  const a = attrs[name];
  return a?.type === 'string' ? a.value : fallback;
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Normalises a possibly negative axis against `rank` (`rank` itself allowed when `inclusive`). */
export function normalizeAxis(axis: number, rank: number, inclusive = false): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a > rank || (a === rank && !inclusive)) throw new ShapeConflict(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** NumPy-style multidirectional broadcasting. */
export function broadcast(shapes: readonly Shape[]): Shape {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v !== 1 && d !== 1 && v !== d) throw new ShapeConflict(`shapes ${shapes.map(fmt).join(' and ')} do not broadcast`);
      if (v !== 1) d = v;
    }
    out.push(d);
  }
  return out;
}

/** Output size of one sliding-window axis (Conv and pools), per the ONNX spec and ORT. */
function windowSize(size: number, k: number, stride: number, dilation: number, padBegin: number, padEnd: number, autoPad: string, ceil: boolean): number {
  let out: number;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    out = Math.ceil(size / stride);
  } else {
    const [b, e] = autoPad === 'VALID' ? [0, 0] : [padBegin, padEnd];
    const span = size + b + e - dilation * (k - 1) - 1;
    out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
    // With ceil_mode, a last window that would start inside the end padding is dropped.
    if (ceil && (out - 1) * stride >= size + b) out--;
  }
  if (!(out > 0))
    throw new ShapeConflict(`a window of ${k} (dilation ${dilation}, stride ${stride}, pads ${padBegin}/${padEnd}) does not fit an axis of ${size}`);
  return out;
}

function spatial(x: Shape, kernel: readonly number[], attrs: Record<string, OnnxAttribute>, ceil: boolean): Shape {
  const n = x.length - 2;
  if (n < 1 || kernel.length !== n) throw new ShapeConflict(`input ${fmt(x)} does not match kernel ${fmt(kernel)}`);
  const strides = attrInts(attrs, 'strides') ?? new Array<number>(n).fill(1);
  const dilations = attrInts(attrs, 'dilations') ?? new Array<number>(n).fill(1);
  const pads = attrInts(attrs, 'pads') ?? new Array<number>(2 * n).fill(0);
  if (strides.length !== n || dilations.length !== n || pads.length !== 2 * n) throw new ShapeConflict(`strides/dilations/pads do not match ${n} spatial axes`);
  const autoPad = attrString(attrs, 'auto_pad', 'NOTSET');
  return kernel.map((k, i) => windowSize(x[i + 2]!, k, strides[i]!, dilations[i]!, pads[i]!, pads[i + n]!, autoPad, ceil));
}

export const conv: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const w = ctx.input(1);
  if (!x || !w) return [];
  const group = attrInt(ctx.attributes, 'group', 1);
  if (w.length !== x.length || w[1]! * group !== x[1]) throw new ShapeConflict(`input ${fmt(x)} and weight ${fmt(w)} (group ${group}) disagree on channels`);
  const kernel = attrInts(ctx.attributes, 'kernel_shape') ?? w.slice(2);
  return [[x[0]!, w[0]!, ...spatial(x, kernel, ctx.attributes, false)]];
};

export const pool: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const kernel = attrInts(ctx.attributes, 'kernel_shape');
  if (!x || !kernel) return [];
  const y = [x[0]!, x[1]!, ...spatial(x, kernel, ctx.attributes, attrInt(ctx.attributes, 'ceil_mode', 0) === 1)];
  return [y, y];
};

export const globalPool: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  if (!x || x.length < 3) return [];
  return [[x[0]!, x[1]!, ...x.slice(2).map(() => 1)]];
};

export const gemm: ShapeRule = (ctx) => {
  const a = ctx.input(0);
  const b = ctx.input(1);
  if (!a || !b) return [];
  if (a.length !== 2 || b.length !== 2) throw new ShapeConflict(`Gemm needs 2-D inputs, got ${fmt(a)} and ${fmt(b)}`);
  const [m, ka] = attrInt(ctx.attributes, 'transA', 0) ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const [kb, n] = attrInt(ctx.attributes, 'transB', 0) ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (ka !== kb) throw new ShapeConflict(`inner dimensions differ: A ${fmt(a)}, B ${fmt(b)}`);
  const c = ctx.input(2);
  if (c) broadcast([[m, n], c]);
  return [[m, n]];
};

export const matMul: ShapeRule = (ctx) => {
  const a = ctx.input(0);
  const b = ctx.input(1);
  if (!a || !b) return [];
  if (a.length === 0 || b.length === 0) throw new ShapeConflict('MatMul inputs must have rank ≥ 1');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  if (a2[a2.length - 1] !== b2[b2.length - 2]) throw new ShapeConflict(`inner dimensions differ: ${fmt(a)} × ${fmt(b)}`);
  const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)]);
  return [[...batch, ...(a.length === 1 ? [] : [a2[a2.length - 2]!]), ...(b.length === 1 ? [] : [b2[b2.length - 1]!])]];
};

export const elementwise: ShapeRule = (ctx) => {
  const shapes: Shape[] = [];
  for (let i = 0; i < ctx.inputCount; i++) {
    const s = ctx.input(i);
    if (!s) return [];
    shapes.push(s);
  }
  return [broadcast(shapes)];
};

/** Output 0 shaped like input 0: activations, Q/DQ, BatchNormalization (inference output), … */
export const passThrough: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  return x ? [x] : [];
};

export const flatten: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  if (!x) return [];
  const axis = normalizeAxis(attrInt(ctx.attributes, 'axis', 1), x.length, true);
  return [[product(x.slice(0, axis)), product(x.slice(axis))]];
};

export const reshape: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const target = ctx.value(1);
  if (!x || !target) return [];
  const allowZero = attrInt(ctx.attributes, 'allowzero', 0) === 1;
  const out = target.map((d, i) => (d === 0 && !allowZero ? (x[i] ?? Number.NaN) : d));
  if (out.some((d) => Number.isNaN(d) || d < -1) || out.filter((d) => d === -1).length > 1)
    throw new ShapeConflict(`invalid target shape ${fmt(target)} for ${fmt(x)}`);
  const known = product(out.filter((d) => d !== -1));
  const total = product(x);
  const inferred = out.includes(-1) ? (known === 0 ? 0 : total / known) : undefined;
  if (inferred !== undefined && !Number.isInteger(inferred)) throw new ShapeConflict(`cannot reshape ${fmt(x)} to ${fmt(target)}`);
  const shape = out.map((d) => (d === -1 ? inferred! : d));
  if (product(shape) !== total) throw new ShapeConflict(`cannot reshape ${fmt(x)} (${total} elements) to ${fmt(target)}`);
  return [shape];
};

export const transpose: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  if (!x) return [];
  const perm = attrInts(ctx.attributes, 'perm') ?? x.map((_, i) => x.length - 1 - i);
  if (perm.length !== x.length || new Set(perm).size !== perm.length || perm.some((p) => p < 0 || p >= x.length))
    throw new ShapeConflict(`perm ${fmt(perm)} is not a permutation of rank ${x.length}`);
  return [perm.map((p) => x[p]!)];
};

export const concat: ShapeRule = (ctx) => {
  const shapes: Shape[] = [];
  for (let i = 0; i < ctx.inputCount; i++) {
    const s = ctx.input(i);
    if (!s) return [];
    shapes.push(s);
  }
  const first = shapes[0];
  if (!first) return [];
  const axis = normalizeAxis(attrInt(ctx.attributes, 'axis', 0), first.length);
  const out = [...first];
  for (const s of shapes.slice(1)) {
    if (s.length !== first.length || s.some((d, i) => i !== axis && d !== first[i]))
      throw new ShapeConflict(`cannot concatenate ${shapes.map(fmt).join(', ')} on axis ${axis}`);
    out[axis] = out[axis]! + s[axis]!;
  }
  return [out];
};

export const shapeOf: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  if (!x) return [];
  const r = x.length;
  const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  return [[Math.max(0, clamp(attrInt(ctx.attributes, 'end', r)) - clamp(attrInt(ctx.attributes, 'start', 0)))]];
};

export const constant: ShapeRule = (ctx) => {
  const a = ctx.attributes;
  if (a.value?.type === 'tensor') return [[...a.value.value.dims]];
  if (a.value_float || a.value_int || a.value_string) return [[]];
  const list = a.value_floats ?? a.value_ints ?? a.value_strings;
  return list && 'value' in list && Array.isArray(list.value) ? [[list.value.length]] : [];
};

/** Pad with constant `pads` (input 1 from opset 11, the attribute before), optionally on `axes` (input 3). */
export const pad: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const pads = ctx.inputCount > 1 ? ctx.value(1) : attrInts(ctx.attributes, 'pads');
  if (!x || !pads) return [];
  const axes = ctx.inputCount > 3 ? ctx.value(3) : x.map((_, i) => i);
  if (!axes) return [];
  if (pads.length !== 2 * axes.length) throw new ShapeConflict(`${pads.length} pads for ${axes.length} axes`);
  const out = [...x];
  axes.forEach((axis, i) => {
    const a = normalizeAxis(axis, x.length);
    out[a] = out[a]! + pads[i]! + pads[i + axes.length]!;
    if (out[a]! < 0) throw new ShapeConflict(`pads ${fmt(pads)} remove more than axis ${a} of ${fmt(x)} holds`);
  });
  return [out];
};
