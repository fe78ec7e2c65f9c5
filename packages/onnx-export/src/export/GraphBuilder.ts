import type { OnnxAttribute, OnnxNode, OnnxTensor } from '../graph/types.js';

/** Accumulates nodes and initializers with unique names while a model is exported. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers = new Map<string, OnnxTensor>();
  readonly #used = new Set<string>();

  /** A fresh tensor or node name based on `base`. */
  name(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./-]/g, '_');
    let name = clean;
    for (let i = 1; this.#used.has(name); i++) name = `${clean}_${i}`;
    this.#used.add(name);
    return name;
  }

  reserve(name: string): void {
    this.#used.add(name);
  }

  /** Adds a float32 initializer and returns its name. */
  float(base: string, data: Float32Array, dims: number[]): string {
    const name = this.name(base);
    this.initializers.set(name, { name, dataType: 1, dims, data });
    return name;
  }

  /** Adds an int64 initializer (shapes, axes) and returns its name. */
  int64(base: string, values: number[]): string {
    const name = this.name(base);
    this.initializers.set(name, { name, dataType: 7, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  }

  /** Adds a node; returns its single output's name. */
  node(opType: string, inputs: string[], base: string, attributes: Record<string, OnnxAttribute> = {}): string {
    const output = this.name(base);
    this.nodes.push({ name: this.name(`${base}/${opType}`), opType, domain: '', inputs, outputs: [output], attributes });
    return output;
  }
}

export const ints = (value: number[]): OnnxAttribute => ({ type: 'ints', value });
export const int = (value: number): OnnxAttribute => ({ type: 'int', value });
export const float = (value: number): OnnxAttribute => ({ type: 'float', value });
