/** Seeded PRNG (mulberry32): tests are reproducible, failures print their seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded uniform values in [−0.5, 0.5): mulberry32 shifted by one half. */
export function centeredUniform(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() - 0.5;
}

/** Standard normal samples (Box–Muller) from a seeded uniform source. */
export function gaussian(rand: () => number): () => number {
  return () => {
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export function randomUniform(n: number, lo: number, hi: number, seed = 1): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

export function randomNormal(n: number, std = 1, seed = 1): Float32Array {
  const g = gaussian(mulberry32(seed));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = std * g();
  return out;
}
