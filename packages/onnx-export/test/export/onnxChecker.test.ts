import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { quantizeModel } from '@quant-trim/fake-quant';
import { pythonHas, runPython } from '@quant-trim/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/export/exportOnnx.js';
import { cnn, dscnn, mlp, random, seed } from './models.js';

const onnx = pythonHas(['onnx']);
if (!onnx.ok) console.warn(`skipping onnx.checker tests: ${onnx.reason}`);

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'qt-checker-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHECK = `
import onnx
results = []
for path in meta['paths']:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        results.append('ok')
    except Exception as e:
        results.append(f'{type(e).__name__}: {e}'[:400])
outputs['results'] = results
`;

describe.skipIf(!onnx.ok)('onnx.checker.check_model(full_check=True) (Debian python3-onnx)', () => {
  it('accepts every FP32 and QDQ export at opset 13 of the three models', () => {
    const paths: string[] = [];
    for (const [name, build, shape] of [
      ['mlp', mlp, [8, 20]],
      ['cnn', cnn, [8, 13, 11, 2]],
      ['dscnn', dscnn, [8, 12, 12, 3]],
    ] as const) {
      const model = seed(build(), 4);
      const q = quantizeModel(model, { weights: 'int8-sym-per-channel' });
      tf.tidy(() => void q.model.apply(random([...shape], 5), { training: true }));
      for (const [format, source] of [
        ['fp32', model],
        ['qdq', q.model],
      ] as const) {
        for (const inputLayout of ['NHWC', 'NCHW'] as const) {
          const path = join(dir, `${name}-${format}-${inputLayout}.onnx`);
          writeFileSync(path, exportOnnx(source, { format, inputLayout }).bytes());
          paths.push(path);
        }
      }
      q.dispose();
    }
    const { results } = runPython(CHECK, {}, { paths }) as { results: string[] };
    expect(results.map((r, i) => `${paths[i]!.split('/').pop()}: ${r}`)).toEqual(paths.map((p) => `${p.split('/').pop()}: ok`));
  });
});
