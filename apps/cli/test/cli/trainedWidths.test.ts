import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAST, run, tempDir } from './helpers.js';

interface Report {
  evaluation: {
    models: { name: string; profiles: { profile: string; approximations?: string[]; coverage?: { nodes: { node: string; weightBits?: number }[] } }[] }[];
  };
}

describe('compare: train what you deploy', () => {
  it('deploys layers trained at 4-bit weights at 4 bits where the profile mixes widths, and says where a profile forces 8', async () => {
    const dir = tempDir('widths');
    const config = join(dir, 'quant-trim.json');
    writeFileSync(config, JSON.stringify({ scheme: { weights: 'int8-sym-per-channel', layers: { conv1: 'int4-sym-per-channel' } } }));
    const out = join(dir, 'out');
    const { code, stderr } = await run([
      'compare',
      ...FAST,
      '--model',
      'cnn',
      '--methods',
      'fp,qat',
      '--seeds',
      '1',
      '--profiles',
      'hailo8-w4a8,tflite-int8',
      '--config',
      config,
      '--out',
      out,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    const bits = (model: string, profile: string, node: string) =>
      report.evaluation.models
        .find((m) => m.name === model)!
        .profiles.find((p) => p.profile === profile)!
        .coverage!.nodes.find((n) => n.node === node)?.weightBits;
    const notes = (model: string, profile: string) =>
      report.evaluation.models.find((m) => m.name === model)!.profiles.find((p) => p.profile === profile)!.approximations ?? [];
    // QAT trained conv1 at 4 bits: Hailo (4/8/16-bit weights) deploys it at 4, the other layers at 8.
    expect(bits('qat', 'hailo8-w4a8', 'conv1/Conv')).toBe(4);
    expect(bits('qat', 'hailo8-w4a8', 'conv2/Conv')).toBe(8);
    // TFLite takes 8-bit weights only: deployed at 8, and the report says so.
    expect(bits('qat', 'tflite-int8', 'conv1/Conv')).toBe(8);
    expect(notes('qat', 'tflite-int8')).toContain('1 node(s) trained at 4-bit weights deployed at 8-bit: tflite-int8 allows 8-bit weights only (conv1/Conv)');
    // The FP checkpoint trained no quantized widths: every profile deploys it at its own width.
    expect(bits('fp', 'hailo8-w4a8', 'conv1/Conv')).toBe(8);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('trained at 4-bit weights deployed at 8-bit');

    // The same holds for `export` then `eval`: the export records the trained widths in its metadata.
    const onnx = join(dir, 'onnx');
    expect((await run(['export', join(out, 'checkpoints', 'seed-0', 'qat'), '--format', 'fp32', '--out', onnx])).code).toBe(0);
    const evalOut = join(dir, 'eval');
    const evaluated = await run([
      'eval',
      join(onnx, 'qat.fp32.onnx'),
      '--dataset',
      'synthetic',
      '--train-limit',
      '600',
      '--test-limit',
      '200',
      '--runtimes',
      'none',
      '--calibration-samples',
      '64',
      '--profiles',
      'hailo8-w4a8,tflite-int8',
      '--out',
      evalOut,
    ]);
    expect(evaluated.code).toBe(0);
    const ev = JSON.parse(readFileSync(join(evalOut, 'eval-report.json'), 'utf8')) as Report['evaluation'];
    const evBits = (profile: string) =>
      ev.models[0]!.profiles.find((p) => p.profile === profile)!.coverage!.nodes.find((n) => n.node === 'conv1/Conv')?.weightBits;
    expect([evBits('hailo8-w4a8'), evBits('tflite-int8')]).toEqual([4, 8]);
  }, 300_000);
});
