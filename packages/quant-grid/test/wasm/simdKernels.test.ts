import { readFileSync } from 'node:fs';
import { mulberry32 } from '@quant-trim/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { renderGenerated, compileKernels } from '../../scripts/build-wasm.mjs';
import { type QParams, computeQParams, computeRanges, configureKernels, createScheme, fakeQuantize } from '../../src/index.js';

afterEach(() => configureKernels({ simd: true }));

function tricky(n: number, s: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor((r() - 0.5) * 600);
    const m = i % 8;
    x[i] =
      m === 0
        ? (k + 0.5) * s
        : m === 1
          ? k * s
          : m === 2
            ? (r() - 0.5) * 1e6
            : m === 3
              ? -0
              : m === 4 && i % 64 === 4
                ? [Number.NaN, Infinity, -Infinity][i % 3]!
                : (r() - 0.5) * 400 * s;
  }
  return x;
}

describe('SIMD kernels', () => {
  it('are available in this Node (WebAssembly SIMD)', () => {
    expect(configureKernels({ simd: true }).simd).toBe(true);
    expect(configureKernels({ simd: false }).simd).toBe(false);
  });

  it('give the same bits as the scalar path for every rounding rule, length and layout', () => {
    for (const rounding of ['half-even', 'half-away', 'half-up', 'floor'] as const) {
      for (const [shape, granularity] of [
        [[16384 * 2 + 7], { kind: 'per-tensor' }],
        [[3], { kind: 'per-tensor' }],
        [[129], { kind: 'per-tensor' }],
        [[5, 1000], { kind: 'per-channel', axis: 0 }],
        [[3, 4, 70], { kind: 'per-channel', axis: 1 }],
      ] as const) {
        for (const bits of [4, 8, 16]) {
          const scheme = createScheme({ bits, rounding, granularity, symmetric: bits !== 8 });
          const n = shape.reduce((a, b) => a * b, 1);
          const x = tricky(n, 0.01, bits * 7 + n);
          const finite = x.map((v) => (Number.isFinite(v) ? v : 0));
          const qp: QParams = computeQParams(computeRanges(finite, shape, granularity), scheme);
          configureKernels({ simd: false });
          const scalar = fakeQuantize(x, shape, qp, scheme);
          configureKernels({ simd: true });
          const simd = fakeQuantize(x, shape, qp, scheme);
          for (let i = 0; i < n; i++) {
            if (!Object.is(simd[i], scalar[i])) {
              expect.fail(`${rounding} ${bits}-bit ${granularity.kind} [${shape}]: index ${i}: x=${x[i]} simd=${simd[i]} scalar=${scalar[i]}`);
            }
          }
        }
      }
    }
  });

  it('the committed module matches kernels.wat (run `npm run build:wasm` after editing it)', async () => {
    const committed = readFileSync(new URL('../../src/wasm/kernels.generated.ts', import.meta.url), 'utf8');
    expect(committed).toBe(renderGenerated(await compileKernels()));
  });
});
