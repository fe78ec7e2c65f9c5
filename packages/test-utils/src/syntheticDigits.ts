import { gaussian, mulberry32 } from './random.js';

/**
 * A small, learnable image-classification set without downloads: ten random stroke prototypes
 * (fixed), each sample a shifted (±1 pixel), noisy copy of its class prototype. Classes cycle
 * 0, 1, …, 9. Returns NHWC float32 pixels and int labels.
 */
export function syntheticDigits(
  n: number,
  options: { seed?: number; size?: number; noise?: number; classes?: number } = {},
): { pixels: Float32Array; labels: Int32Array; shape: [number, number, number, number] } {
  const size = options.size ?? 14;
  const classes = options.classes ?? 10;
  const protoRand = mulberry32(1234);
  const prototypes = Array.from({ length: classes }, () => {
    const img = new Float32Array(size * size);
    for (let stroke = 0; stroke < 3; stroke++) {
      let r = 2 + Math.floor(protoRand() * (size - 4));
      let c = 2 + Math.floor(protoRand() * (size - 4));
      const dr = Math.round(protoRand() * 2 - 1);
      const dc = Math.round(protoRand() * 2 - 1) || 1;
      for (let k = 0; k < 7; k++) {
        if (r >= 0 && r < size && c >= 0 && c < size) img[r * size + c] = 1;
        r += dr;
        c += dc;
      }
    }
    return img;
  });
  const rand = mulberry32(options.seed ?? 1);
  const noise = gaussian(rand);
  const sigma = options.noise ?? 0.35;
  const pixels = new Float32Array(n * size * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    labels[i] = k;
    const sr = Math.floor(rand() * 3) - 1;
    const sc = Math.floor(rand() * 3) - 1;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const pr = r - sr;
        const pc = c - sc;
        const v = pr >= 0 && pr < size && pc >= 0 && pc < size ? prototypes[k]![pr * size + pc]! : 0;
        pixels[i * size * size + r * size + c] = v + sigma * noise();
      }
    }
  }
  return { pixels, labels, shape: [n, size, size, 1] };
}
