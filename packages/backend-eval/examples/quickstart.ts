import { readFileSync, writeFileSync } from 'node:fs';
import { evaluate, formatReportTable } from '@quant-trim/backend-eval';

// A float ONNX model (exported by @quant-trim/onnx-export, PyTorch, ...) and raw data files:
// float32 test and calibration samples of shape [1, 28, 28], one uint8 label per test sample.
const [modelPath = 'model.onnx', testPath = 'test.f32', labelsPath = 'labels.u8', calibrationPath = 'calibration.f32', reportPath = 'report.json'] =
  process.argv.slice(2);
const float32 = (path: string) => new Float32Array(new Uint8Array(readFileSync(path)).buffer);

const report = await evaluate({
  models: { name: modelPath, onnx: readFileSync(modelPath) },
  data: { inputs: float32(testPath), labels: readFileSync(labelsPath), sampleShape: [1, 28, 28], calibration: float32(calibrationPath) },
});
console.log(formatReportTable(report, { format: 'text' }));
writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
