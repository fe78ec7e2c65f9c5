/**
 * Reference: PyTorch's fake_quantize_per_tensor_affine / fake_quantize_per_channel_affine through
 * Debian's /usr/bin/python3 (python3-torch). PyTorch multiplies by a float32 reciprocal of the
 * scale where ONNX (and we) divide, so the two can disagree only where x·(1/s) and x/s fall on
 * different sides of a rounding boundary; every other element must match bit for bit.
 */
import { mulberry32, pythonHas, randomNormal, runPython } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { type QParams, createScheme, computeQParams, computeRanges, fakeQuantize } from '../src/index.js';

const torch = pythonHas(['torch', 'numpy']);
if (!torch.ok) console.warn(`skipping PyTorch reference tests: ${torch.reason}`);

const SCRIPT = `
import torch
x = torch.from_numpy(inputs['x'].copy()).reshape(meta['shape'])
scale = torch.from_numpy(inputs['scale'].copy())
zp = torch.from_numpy(inputs['zp'].copy())
torch.set_num_threads(1)
if meta['axis'] is None:
    y = torch.fake_quantize_per_tensor_affine(x, float(scale[0]), int(zp[0]), meta['qmin'], meta['qmax'])
else:
    y = torch.fake_quantize_per_channel_affine(x, scale, zp, meta['axis'], meta['qmin'], meta['qmax'])
outputs['y'] = y.reshape(-1).numpy().astype('float32')
outputs['version'] = torch.__version__
`;

/** Where PyTorch's reciprocal-multiply rounding may legitimately differ from division. */
function reciprocalDisagrees(x: number, s: number): boolean {
  const byDivision = Math.fround(x / s);
  const byReciprocal = Math.fround(x * Math.fround(1 / s));
  const rne = (v: number) => {
    const r = Math.round(v);
    return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
  };
  return rne(byDivision) !== rne(byReciprocal);
}

interface TorchCase {
  title: string;
  shape: number[];
  axis: number | null;
  signed: boolean;
  symmetric: boolean;
  bits: number;
}

const cases: TorchCase[] = [
  { title: 'per-tensor int8 symmetric', shape: [50_000], axis: null, signed: true, symmetric: true, bits: 8 },
  { title: 'per-tensor uint8 asymmetric', shape: [50_000], axis: null, signed: false, symmetric: false, bits: 8 },
  { title: 'per-tensor int4 asymmetric', shape: [50_000], axis: null, signed: true, symmetric: false, bits: 4 },
  { title: 'per-channel int8 symmetric, axis 0', shape: [32, 3, 3, 64], axis: 0, signed: true, symmetric: true, bits: 8 },
  { title: 'per-channel uint8 asymmetric, axis 3', shape: [64, 5, 5, 16], axis: 3, signed: false, symmetric: false, bits: 8 },
];

describe.skipIf(!torch.ok)('against PyTorch fake_quantize_*_affine', () => {
  cases.forEach((c, index) => {
    it(c.title, () => {
      const n = c.shape.reduce((a, b) => a * b, 1);
      const granularity = c.axis === null ? ({ kind: 'per-tensor' } as const) : ({ kind: 'per-channel', axis: c.axis } as const);
      const scheme = createScheme({ bits: c.bits, signed: c.signed, symmetric: c.symmetric, granularity });
      const x = randomNormal(n, 1, 40 + index);
      const r = mulberry32(90 + index);
      for (let i = 0; i < n; i += 97) x[i] = x[i]! * (3 + 5 * r()); // outliers that clip
      // Calibrate on 80 % of the spread so values beyond the range occur in every group.
      const ranges = computeRanges(x, c.shape, granularity);
      const qp: QParams = computeQParams({ min: ranges.min.map((v) => v * 0.8), max: ranges.max.map((v) => v * 0.8), shape: ranges.shape }, scheme);
      // Exact ties on the grid of the first group.
      for (let i = 1; i < n; i += 53) x[i] = (Math.round(x[i]! / qp.scale[0]!) + 0.5) * qp.scale[0]!;

      const ours = fakeQuantize(x, c.shape, qp, scheme);
      const out = runPython(SCRIPT, { x, scale: qp.scale, zp: qp.zeroPoint }, { shape: c.shape, axis: c.axis, qmin: scheme.qmin, qmax: scheme.qmax });
      const theirs = out.y as Float32Array;
      expect(theirs.length).toBe(n);

      const inner = c.axis === null ? n : c.shape.slice(c.axis + 1).reduce((a, b) => a * b, 1);
      const dim = c.axis === null ? 1 : c.shape[c.axis]!;
      let exactUnplanted = 0;
      let explained = 0;
      const unexplained: string[] = [];
      for (let i = 0; i < n; i++) {
        if (ours[i] === theirs[i]) {
          if (i % 53 !== 1) exactUnplanted++;
          continue;
        }
        const g = c.axis === null ? 0 : Math.floor(i / inner) % dim;
        const s = qp.scale[g]!;
        if (reciprocalDisagrees(x[i]!, s) && Math.abs(ours[i]! - theirs[i]!) <= s * 1.0001) explained++;
        else if (unexplained.length < 5) unexplained.push(`i=${i} x=${x[i]} ours=${ours[i]} torch=${theirs[i]} s=${s}`);
      }
      expect(unexplained, `unexplained differences (torch ${String(out.version)})`).toEqual([]);
      // Away from the planted ties, disagreements are rare float32 accidents.
      expect(exactUnplanted / (n - Math.ceil((n - 1) / 53))).toBeGreaterThan(0.9999);
      if (explained > 0) console.info(`${c.title}: ${explained} of ${n} elements differ by one step where x·(1/s) and x/s round differently`);
    });
  });
});
