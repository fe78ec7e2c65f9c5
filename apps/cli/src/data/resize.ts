/** An image in HWC order (row-major, channels last): floats, or decoded 8-bit values (4× smaller). */
export interface HwcImage {
  readonly data: Float32Array | Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** Per output index: first input index, number of taps, and the normalised tap weights. */
interface Taps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float64Array;
  readonly stride: number;
}

/**
 * Triangle-filter taps for resampling `inSize` → `outSize` pixels, pixel centres aligned
 * (`align_corners=False`). When shrinking, the filter widens by the scale factor (antialiasing),
 * as Pillow's `Image.resize(..., BILINEAR)` and torch's `interpolate(mode='bilinear',
 * antialias=True)` do; when enlarging it is plain bilinear interpolation.
 */
function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    for (let x = lo; x < hi; x++) {
      const t = Math.abs((x - center + 0.5) / filterScale);
      const w = t < 1 ? 1 - t : 0;
      weights[i * stride + x - lo] = w;
      total += w;
    }
    for (let k = 0; k < hi - lo; k++) weights[i * stride + k] = total === 0 ? 0 : (weights[i * stride + k] as number) / total;
    start[i] = lo;
    count[i] = hi - lo;
  }
  return { start, count, weights, stride };
}

/**
 * Bilinear resize of an HWC image to `height × width` (antialiased when shrinking), width first,
 * then height. Other libraries' bilinear filters differ in the last digits (and without
 * antialiasing, by much more when shrinking): compare with a tolerance.
 *
 * @example
 * resizeBilinear({ data, height: 500, width: 375, channels: 3 }, 256, 341);
 */
export function resizeBilinear(image: HwcImage, height: number, width: number): HwcImage {
  const { channels: c } = image;
  let current = image;
  if (width !== image.width) {
    const t = taps(image.width, width);
    const out = new Float32Array(image.height * width * c);
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < width; x++) {
        const s = t.start[x] as number;
        const n = t.count[x] as number;
        for (let k = 0; k < c; k++) {
          let sum = 0;
          for (let j = 0; j < n; j++) sum += (t.weights[x * t.stride + j] as number) * (current.data[(y * current.width + s + j) * c + k] as number);
          out[(y * width + x) * c + k] = sum;
        }
      }
    }
    current = { data: out, height: image.height, width, channels: c };
  }
  if (height !== image.height) {
    const t = taps(image.height, height);
    const out = new Float32Array(height * width * c);
    const rowSize = width * c;
    for (let y = 0; y < height; y++) {
      const s = t.start[y] as number;
      const n = t.count[y] as number;
      for (let i = 0; i < rowSize; i++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += (t.weights[y * t.stride + j] as number) * (current.data[(s + j) * rowSize + i] as number);
        out[y * rowSize + i] = sum;
      }
    }
    current = { data: out, height, width, channels: c };
  }
  return current;
}
