import { computeQParams, computeRanges, createScheme, defaultRegistry, fakeQuantize, packInt4, quantize } from '@quant-trim/quant-grid';

// A conv weight [outChannels, inChannels, kh, kw] with one outlier in channel 0.
const shape = [4, 2, 3, 3];
const w = Float32Array.from({ length: 72 }, (_, i) => Math.sin(i) * 0.1);
w[5] = 2.5;

// int8 symmetric per-channel along axis 0: the outlier only coarsens its own channel.
const int8 = defaultRegistry.scheme('int8-sym-per-channel', { axis: 0 });
const qp8 = computeQParams(computeRanges(w, shape, int8.granularity), int8);
const w8 = fakeQuantize(w, shape, qp8, int8);

// int4 per-group (blocks of 8 along the input axis), packed two codes per byte as ONNX stores INT4.
const int4 = createScheme({ bits: 4, granularity: { kind: 'per-group', axis: 1, groupSize: 8 } });
const flat = [4, 18]; // [out, in·kh·kw]
const qp4 = computeQParams(computeRanges(w, flat, int4.granularity), int4);
const packed = packInt4(quantize(w, flat, qp4, int4));

// Activations: calibrate a uint8 asymmetric grid with TensorRT-style entropy over a few batches.
const act = defaultRegistry.scheme('uint8-asym-per-tensor');
const observer = defaultRegistry.calibrator('entropy');
for (let b = 0; b < 8; b++) observer.observe(Float32Array.from({ length: 4096 }, (_, i) => Math.max(0, Math.sin(i * (b + 1)) * 3)));
const qpA = observer.compute(act);

const mse = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / a.length;
console.log(`int8 per-channel scales: ${Array.from(qp8.scale, (s) => s.toExponential(2)).join(', ')}`);
console.log(`int8 weight MSE: ${mse(w, w8).toExponential(2)}; int4 packed bytes: ${packed.length}`);
console.log(`activation grid: scale ${qpA.scale[0]!.toExponential(3)}, zero point ${qpA.zeroPoint[0]}`);
