import { gaussian, seededPermutation, seededRng, type Rng } from './random.js';
import { DIGIT_NAMES } from './mnist.js';
import type { Dataset, Split } from './types.js';

const SIDE = 28;
export const SYNTHETIC_TRAIN_SIZE = 6000;
export const SYNTHETIC_TEST_SIZE = 1000;

type Point = readonly [number, number];

/** Stroke prototypes of the ten digits: polylines in a unit box (x right, y down). */
const DIGIT_STROKES: readonly (readonly Point[])[][] = [
  [
    [
      [0.5, 0],
      [0.85, 0.15],
      [1, 0.5],
      [0.85, 0.85],
      [0.5, 1],
      [0.15, 0.85],
      [0, 0.5],
      [0.15, 0.15],
      [0.5, 0],
    ],
  ],
  [
    [
      [0.5, 0],
      [0.5, 1],
    ],
    [
      [0.25, 0.2],
      [0.5, 0],
    ],
  ],
  [
    [
      [0.1, 0.25],
      [0.3, 0],
      [0.7, 0],
      [0.9, 0.25],
      [0.1, 1],
      [0.9, 1],
    ],
  ],
  [
    [
      [0.1, 0],
      [0.9, 0],
      [0.45, 0.45],
      [0.9, 0.7],
      [0.6, 1],
      [0.1, 0.9],
    ],
  ],
  [
    [
      [0.7, 1],
      [0.7, 0],
      [0.05, 0.65],
      [0.95, 0.65],
    ],
  ],
  [
    [
      [0.9, 0],
      [0.15, 0],
      [0.1, 0.45],
      [0.7, 0.4],
      [0.9, 0.7],
      [0.6, 1],
      [0.1, 0.9],
    ],
  ],
  [
    [
      [0.8, 0],
      [0.2, 0.5],
      [0.15, 0.85],
      [0.5, 1],
      [0.85, 0.8],
      [0.7, 0.5],
      [0.2, 0.6],
    ],
  ],
  [
    [
      [0.05, 0],
      [0.95, 0],
      [0.35, 1],
    ],
  ],
  [
    [
      [0.5, 0],
      [0.8, 0.12],
      [0.5, 0.45],
      [0.2, 0.12],
      [0.5, 0],
    ],
    [
      [0.5, 0.45],
      [0.9, 0.72],
      [0.5, 1],
      [0.1, 0.72],
      [0.5, 0.45],
    ],
  ],
  [
    [
      [0.85, 0.4],
      [0.5, 0.5],
      [0.15, 0.3],
      [0.35, 0],
      [0.8, 0.05],
      [0.85, 0.4],
      [0.7, 1],
    ],
  ],
];

/**
 * Renders digit `label` into `out` (28×28 floats in [0, 1]) with per-sample variation drawn from
 * `rng`: vertex jitter, size, slant, shift of up to ±2.5 px, stroke width and pixel noise.
 */
function renderDigit(label: number, rng: Rng, out: Float32Array, offset: number): void {
  const strokes = DIGIT_STROKES[label] ?? [];
  const width = 11 + 4 * rng();
  const height = 17 + 4 * rng();
  const slant = 0.25 * (rng() - 0.5);
  const cx = SIDE / 2 + 5 * (rng() - 0.5);
  const cy = SIDE / 2 + 5 * (rng() - 0.5);
  const radius = 0.9 + 0.8 * rng();
  const noise = 0.04 + 0.04 * rng();
  const segments: number[] = [];
  for (const stroke of strokes) {
    let prev: Point | undefined;
    for (const [u, v] of stroke) {
      const ju = u + 0.03 * gaussian(rng) - 0.5;
      const jv = v + 0.03 * gaussian(rng) - 0.5;
      const p: Point = [cx + ju * width - slant * jv * height, cy + jv * height];
      if (prev) segments.push(prev[0], prev[1], p[0], p[1]);
      prev = p;
    }
  }
  // Ink of each pixel: max over segments of a 1-px anti-aliased ramp around the stroke; only the
  // pixels in each segment's padded bounding box are visited.
  const ink = new Float32Array(SIDE * SIDE);
  const reach = radius + 1;
  for (let s = 0; s < segments.length; s += 4) {
    const ax = segments[s] as number,
      ay = segments[s + 1] as number;
    const bx = segments[s + 2] as number,
      by = segments[s + 3] as number;
    const dx = bx - ax,
      dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach)),
      x1 = Math.min(SIDE - 1, Math.ceil(Math.max(ax, bx) + reach));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach)),
      y1 = Math.min(SIDE - 1, Math.ceil(Math.max(ay, by) + reach));
    for (let py = y0; py <= y1; py++) {
      for (let px = x0; px <= x1; px++) {
        const x = px + 0.5,
          y = py + 0.5;
        const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / len2));
        const ex = x - ax - t * dx,
          ey = y - ay - t * dy;
        const v = 1 + radius - Math.sqrt(ex * ex + ey * ey);
        const i = py * SIDE + px;
        if (v > (ink[i] as number)) ink[i] = v > 1 ? 1 : v;
      }
    }
  }
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = (ink[i] as number) + noise * (rng() + rng() - 1);
    out[offset + i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/**
 * `count` synthetic digits of one split: labels balanced (`index % 10` before a seeded shuffle),
 * each sample drawn from its own seeded stream, so the first N samples are the same whatever
 * `limit` is.
 */
export function syntheticSplit(seed: number, split: 'train' | 'test', count: number, limit?: number): Split {
  const order = seededPermutation(count, seededRng(seed, `synthetic/${split}/order`));
  const n = limit === undefined ? count : Math.min(limit, count);
  const x = new Float32Array(n * SIDE * SIDE);
  const y = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const index = order[k] as number;
    const label = index % 10;
    y[k] = label;
    renderDigit(label, seededRng(seed, `synthetic/${split}/${index}`), x, k * SIDE * SIDE);
  }
  return { x, y, count: n };
}

/**
 * Deterministic, learnable 28×28 digits drawn from stroke prototypes (6,000 train / 1,000 test by
 * default), for tests and offline demos. Train and test come from separate seeded streams.
 *
 * @example
 * const d = loadSynthetic({ seed: 1, trainLimit: 500 }); // d.train.count === 500
 */
export function loadSynthetic(options: { seed: number; trainLimit?: number | undefined; testLimit?: number | undefined }): Dataset {
  return {
    name: 'synthetic',
    source: 'generated (quant-trim stroke digits)',
    sampleShape: [SIDE, SIDE, 1],
    classes: 10,
    classNames: DIGIT_NAMES,
    splitRule: `generated: ${SYNTHETIC_TRAIN_SIZE} train / ${SYNTHETIC_TEST_SIZE} test from separate seeded streams (seed ${options.seed})`,
    train: syntheticSplit(options.seed, 'train', SYNTHETIC_TRAIN_SIZE, options.trainLimit),
    test: syntheticSplit(options.seed, 'test', SYNTHETIC_TEST_SIZE, options.testLimit),
  };
}
