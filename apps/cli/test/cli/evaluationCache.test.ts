import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationReport } from '@quant-trim/backend-eval';
import { describe, expect, it } from 'vitest';
import { evaluationKey, readCachedEvaluation, writeCachedEvaluation } from '../../src/pipeline/evaluationCache.js';
import { FAST, run, tempDir } from './helpers.js';

describe('evaluation cache', () => {
  it('keys on the ONNX bytes and the settings; a damaged or foreign file is a miss', () => {
    const a = evaluationKey(new Uint8Array([1, 2, 3]), { profiles: ['tflite-int8'] });
    expect(evaluationKey(new Uint8Array([1, 2, 3]), { profiles: ['tflite-int8'] })).toBe(a);
    expect(evaluationKey(new Uint8Array([1, 2, 4]), { profiles: ['tflite-int8'] })).not.toBe(a);
    expect(evaluationKey(new Uint8Array([1, 2, 3]), { profiles: ['trt-int8-entropy'] })).not.toBe(a);
    const dir = tempDir('evalcache');
    // Only the shape the cache stores matters here, not a full backend-eval report.
    const model = { name: 'fp', profiles: [] } as unknown as EvaluationReport['models'][number];
    const report = { $schema: 'x', models: [model] } as unknown as EvaluationReport;
    writeCachedEvaluation(dir, a, report, model);
    expect(readCachedEvaluation(dir, a)).toEqual({ frame: { $schema: 'x' }, model: { name: 'fp', profiles: [] } });
    expect(readCachedEvaluation(dir, evaluationKey(new Uint8Array([9]), {}))).toBeUndefined();
    const file = readdirSync(dir).find((f) => f.startsWith('evaluation-'))!;
    writeFileSync(join(dir, file), '{ truncated');
    expect(readCachedEvaluation(dir, a)).toBeUndefined();
  });

  it('a second compare with one more method evaluates only the new checkpoint, with identical results for the others', async () => {
    const dir = tempDir('compare-cache');
    const out = join(dir, 'out');
    const base = [
      'compare',
      ...FAST,
      '--model',
      'mlp',
      '--profiles',
      'tflite-int8,trt-int8-entropy',
      '--seeds',
      '1',
      '--bootstrap-resamples',
      '100',
      '--out',
      out,
    ];
    const first = await run([...base, '--methods', 'fp,qat']);
    expect(first.stderr).toBe('');
    const firstReport = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { seedResults: { methods: { method: string; profiles: unknown[] }[] }[] };
    const second = await run([...base, '--methods', 'fp,qat,quant-trim-paper', '--resume']);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/seed 0: reusing the earlier evaluation of fp, qat \(same checkpoint and settings\)/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as typeof firstReport;
    expect(report.seedResults[0]!.methods.map((m) => m.method)).toEqual(['fp', 'qat', 'quant-trim-paper']);
    expect(report.seedResults[0]!.methods.slice(0, 2)).toEqual(firstReport.seedResults[0]!.methods);
    // Other preprocessing, same checkpoints: the evaluation is not reused.
    const config = join(dir, 'normalized.json');
    writeFileSync(config, JSON.stringify({ preprocess: { mean: [0.5], std: [0.5] } }));
    const third = await run([...base, '--methods', 'fp,qat,quant-trim-paper', '--resume', '--config', config]);
    expect(third.code).toBe(0);
    expect(third.stdout).not.toMatch(/reusing/);
  }, 600_000);
});
