import { readFileSync } from 'node:fs';
import { readOnnx } from '@quant-trim/onnx-export';
import { compileWithStats } from './src/compile/compileForBackend.ts';
import { builtinProfiles } from './src/profiles/builtinProfiles.ts';
const fp = readOnnx(new Uint8Array(readFileSync('/tmp/r18/resnet18.onnx')));
const S = 3 * 224 * 224;
const cal = Float32Array.from({ length: 32 * S }, (_, i) => Math.sin(i * 0.7) * 2);
for (const id of ['tflite-int8', 'trt-int8-entropy'] as const) {
  const t0 = performance.now();
  const full = await compileWithStats(fp, builtinProfiles[id], [cal.subarray(0, 16 * S), cal.subarray(16 * S)]);
  console.log(id, 'full compile (32 cal)', ((performance.now() - t0) / 1000).toFixed(2), 's; calibration', full.compiled.calibration.seconds.toFixed(2), 'tensors', full.compiled.activations.length);
}
