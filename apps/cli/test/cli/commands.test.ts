import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAST, FAST_EVAL, FAST_TRAIN, run, tempDir } from './helpers.js';

describe('quant-trim CLI: help, usage errors, exit codes', () => {
  it('--help lists every command and the exit codes; each command has examples', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const c of ['demo', 'train', 'export', 'eval', 'compare', 'profiles', 'inspect', 'report']) expect(stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    expect(stdout).toMatch(/130\s+interrupted/);
    for (const c of ['demo', 'train', 'export', 'eval', 'compare', 'profiles', 'inspect', 'report']) {
      const help = await run([c, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Examples:\n\s*quant-trim /);
    }
  });

  it('unknown commands and options are usage errors (exit 2) with a hint', async () => {
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error QT_USAGE: unknown command `frobnicate`/);
    expect(unknown.stderr).toMatch(/hint: run `quant-trim --help`/);
    const option = await run(['profiles', '--bogus']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/Unknown option `--bogus`/);
    const missing = await run(['inspect']);
    expect(missing.code).toBe(2);
  });

  it('profiles lists the 12 built-in profiles and describes one; an unknown id is an input error', async () => {
    const list = await run(['profiles']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/12 profiles/);
    const one = await run(['profiles', 'vitis-dpu-pow2']);
    expect(one.stdout).toMatch(/^vitis-dpu-pow2 — /);
    expect(one.stdout).toMatch(/sources\n\s+\[VAI1\] https:/);
    const bad = await run(['profiles', 'no-such-npu']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^error QT_UNKNOWN_PROFILE: .*no-such-npu/);
  });

  it('--json emits only NDJSON events on stdout', async () => {
    const { code, stdout } = await run(['profiles', '--json']);
    expect(code).toBe(0);
    const events = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; time: string });
    expect(events[0]!.type).toBe('run-start');
    expect(events.at(-1)!.type).toBe('run-end');
    expect(events.some((e) => e.type === 'result')).toBe(true);
    const failed = await run(['profiles', 'no-such-npu', '--json']);
    expect(failed.code).toBe(3);
    const lines = failed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; code?: string; exitCode?: number });
    expect(lines.find((e) => e.type === 'error')).toMatchObject({ code: 'QT_UNKNOWN_PROFILE', exitCode: 3 });
    expect(lines.at(-1)).toMatchObject({ type: 'run-end', ok: false });
  });

  it('an invalid config file is a usage error naming the file and the field', async () => {
    const dir = tempDir('config');
    writeFileSync(join(dir, 'quant-trim.config.json'), JSON.stringify({ epochs: 0, profiles: ['tflite-int8', 'nope'] }));
    const { code, stderr } = await run(['train', '--out', join(dir, 'out')], dir);
    expect(code).toBe(2);
    expect(stderr).toMatch(/QT_INVALID_CONFIG/);
    expect(stderr).toMatch(/quant-trim\.config\.json/);
    expect(stderr).toMatch(/epochs: expected an integer ≥ 1, got 0/);
    expect(stderr).toMatch(/profiles\.1: unknown backend profile "nope"/);
    const flag = await run(['train', '--epochs=-3', '--out', join(dir, 'out')], tempDir('flag'));
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--epochs: expected an integer ≥ 1/);
  });

  it('a missing or corrupt dataset is an input error naming the file and how to fix it', async () => {
    const empty = tempDir('no-fashion');
    process.env['QUANT_TRIM_FASHION_MNIST_DIR'] = empty;
    try {
      const missing = await run(['train', '--dataset', 'fashion-mnist', '--out', join(empty, 'out')]);
      expect(missing.code).toBe(3);
      expect(missing.stderr).toMatch(/QT_DATASET_MISSING/);
      expect(missing.stderr).toMatch(/apt-get install -y dataset-fashion-mnist/);
    } finally {
      delete process.env['QUANT_TRIM_FASHION_MNIST_DIR'];
    }
    const dir = tempDir('idx');
    for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'])
      writeFileSync(join(dir, f), new Uint8Array([0, 0, 9, 9, 0, 0, 0, 1]));
    const corrupt = await run(['train', '--dataset', dir, '--out', join(dir, 'out')]);
    expect(corrupt.code).toBe(3);
    expect(corrupt.stderr).toMatch(/QT_DATASET_CORRUPT/);
    expect(corrupt.stderr).toMatch(/train-images-idx3-ubyte/);
    const nowhere = await run(['train', '--dataset', join(dir, 'nope'), '--out', join(dir, 'out')]);
    expect(nowhere.code).toBe(3);
  });

  it('an unwritable output directory fails before any work (exit 4), naming it', async () => {
    const dir = tempDir('unwritable');
    writeFileSync(join(dir, 'file'), 'not a directory');
    const out = join(dir, 'file', 'out');
    const { code, stderr } = await run(['train', ...FAST_TRAIN, '--out', out]);
    expect(code).toBe(4);
    expect(stderr).toMatch(/QT_OUTPUT_UNWRITABLE/);
    expect(stderr).toContain(out);
  });

  it('train → export (verifyExport) → inspect → eval, and corrupt ONNX / report inputs fail cleanly', async () => {
    const dir = tempDir('pipeline');
    const out = join(dir, 'out');
    const trained = await run(['train', ...FAST_TRAIN, '--model', 'mlp', '--method', 'qat', '--out', out]);
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    expect(existsSync(join(out, 'checkpoints', 'qat', 'latest.json'))).toBe(true);
    expect(existsSync(join(out, 'qat-float', 'model.json'))).toBe(true);

    const exported = await run(['export', join(out, 'checkpoints', 'qat'), '--out', join(out, 'onnx')]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^fp32\s+ok\s/m);
    expect(exported.stdout).toMatch(/^qdq\s+ok\s/m);
    for (const f of ['qat.fp32.onnx', 'qat.qdq.onnx', 'qat.qdq.encodings.json']) expect(existsSync(join(out, 'onnx', f)), f).toBe(true);

    const inspected = await run(['inspect', join(out, 'onnx', 'qat.fp32.onnx'), '--profiles', 'tflite-int8,ort-dynamic-u8s8']);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/opset 13/);
    expect(inspected.stdout).toMatch(/MACs per sample/);
    expect(inspected.stdout).toMatch(/^ort-dynamic-u8s8\s/m);

    const evaluated = await run([
      'eval',
      join(out, 'onnx', 'qat.fp32.onnx'),
      ...FAST_EVAL,
      '--profiles',
      'tflite-int8,trt-int8-entropy',
      '--out',
      join(out, 'eval'),
    ]);
    expect(evaluated.stderr).toBe('');
    expect(evaluated.code).toBe(0);
    expect(evaluated.stdout).toMatch(/^tflite-int8\s+ok/m);
    const report = JSON.parse(readFileSync(join(out, 'eval', 'eval-report.json'), 'utf8')) as { models: { profiles: unknown[] }[] };
    expect(report.models[0]!.profiles).toHaveLength(2);

    writeFileSync(join(dir, 'corrupt.onnx'), new Uint8Array([8, 7, 18, 255, 255, 1, 2, 3]));
    const corrupt = await run(['inspect', join(dir, 'corrupt.onnx')]);
    expect(corrupt.code).toBe(3);
    expect(corrupt.stderr).toMatch(/QT_ONNX_DECODE/);
    const missing = await run(['eval', join(dir, 'missing.onnx'), ...FAST_EVAL]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/QT_IO_ERROR: cannot read the ONNX model .*missing\.onnx/);

    writeFileSync(join(dir, 'bad.json'), '{"$schema": "nope"}');
    const badReport = await run(['report', join(dir, 'bad.json')]);
    expect(badReport.code).toBe(3);
    expect(badReport.stderr).toMatch(/QT_INVALID_REPORT: .*bad\.json: \$schema/);
    mkdirSync(join(dir, 'x'));
    const notCheckpoint = await run(['export', join(dir, 'x')]);
    expect(notCheckpoint.code).toBe(3);
    expect(notCheckpoint.stderr).toMatch(/QT_MODEL_LOAD: .* is not a checkpoint/);
  });

  it('compare --seeds 2 writes per-seed results, intervals and comparisons; --resume reuses finished seeds; report re-renders', async () => {
    const dir = tempDir('compare');
    const out = join(dir, 'out');
    const args = [
      'compare',
      ...FAST,
      '--model',
      'mlp',
      '--profiles',
      'tflite-int8,trt-int8-entropy',
      '--seed',
      '5',
      '--seeds',
      '2',
      '--bootstrap-resamples',
      '200',
      '--out',
      out,
    ];
    const compared = await run(args);
    expect(compared.stderr).toBe('');
    expect(compared.code).toBe(0);
    expect(compared.stdout).toMatch(/^profile\s+FP acc %\s+drop pp \[95 %\]\s+QAT acc %\s+drop pp \[95 %\]\s+Quant-Trim acc %\s+drop pp \[95 %\]/m);
    expect(compared.stdout).toMatch(/^worst-case drop\s+-\s+[+-]\d+\.\d\d \[-?\d+\.\d\d, -?\d+\.\d\d\]/m);
    expect(compared.stdout).toMatch(
      /means over 2 seeds \(5, 6\); \[95 %\]: bootstrap percentile interval, 200 resamples of seeds and 200 test images \(1 image = 0\.500 pp\)/,
    );
    expect(compared.stdout).toMatch(
      /Quant-Trim worst-case drop [−-]?\d+\.\d\d pp \[.*\] vs FP .*: difference .* \(≈ \d+(\.\d)? of 200 test images\): (narrower|wider|no difference measurable at 2 seeds)/,
    );

    type Interval = { mean: number; low: number; high: number };
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      $schema: string;
      schemaVersion: number;
      seeds: number[];
      bootstrap: { resamples: number; seeds: number; testImages: number; method: string };
      methods: { method: string; seed: number; checkpoint: string }[];
      command: string;
      evaluation: {
        models: { float: Record<string, unknown>; profiles: { profile: string; predictions?: unknown; calibration?: { tensors?: unknown[] } }[] }[];
      };
      seedResults: {
        seed: number;
        methods: {
          method: string;
          floatAccuracy: number;
          profiles: {
            profile: string;
            status: string;
            drop?: number;
            dropSource?: { layer: string; tensor?: string; observedMin?: number; clipMax?: number };
          }[];
        }[];
      }[];
      summary: {
        method: string;
        meanDrop: Interval;
        worstDrop: Interval;
        spread: Interval;
        perSeed: { seed: number; worstDrop: number }[];
        profiles: { profile: string; drop: Interval; seeds: number }[];
      }[];
      comparisons: { method: string; against: string; statistic: string; difference: Interval; direction: string; verdict: string }[];
      verdicts: string[];
    };
    expect(report.$schema).toBe('https://quant-trim.github.io/schemas/cli/run-report-2.json');
    expect(report.schemaVersion).toBe(2);
    expect(report.seeds).toEqual([5, 6]);
    expect(report.bootstrap).toMatchObject({ resamples: 200, seeds: 2, testImages: 200, method: 'percentile' });
    expect(report.methods.map((m) => `${m.seed}/${m.method}`)).toEqual(['5/fp', '5/qat', '5/quant-trim', '6/fp', '6/qat', '6/quant-trim']);
    for (const m of report.methods) expect(existsSync(join(out, 'checkpoints', `seed-${m.seed}`, m.method, 'latest.json')), m.checkpoint).toBe(true);
    expect(report.command).toMatch(/^quant-trim compare --dataset synthetic .*--seeds 2/);
    // per-seed results for every method and profile, with the drop source of each static profile
    expect(report.seedResults.map((s) => s.seed)).toEqual([5, 6]);
    for (const s of report.seedResults) {
      expect(s.methods.map((m) => m.method)).toEqual(['fp', 'qat', 'quant-trim']);
      for (const m of s.methods) {
        expect(m.profiles.map((p) => p.profile)).toEqual(['tflite-int8', 'trt-int8-entropy']);
        for (const p of m.profiles) {
          expect(p.status).toBe('ok');
          expect(p.dropSource?.layer).toMatch(/\w/);
          expect(p.dropSource?.tensor).toMatch(/\w/);
          expect(p.dropSource!.clipMax).toBeGreaterThan(p.dropSource!.observedMin!);
        }
      }
    }
    // the two seeds trained different checkpoints
    expect(report.seedResults[0]!.methods[0]!.floatAccuracy).not.toBe(report.seedResults[1]!.methods[0]!.floatAccuracy);
    // summaries: across-seed means with intervals around them
    expect(report.summary.map((s) => s.method)).toEqual(['fp', 'qat', 'quant-trim']);
    for (const s of report.summary) {
      for (const i of [s.meanDrop, s.worstDrop, s.spread, ...s.profiles.map((p) => p.drop)]) {
        expect(i.low).toBeLessThanOrEqual(i.mean + 1e-12);
        expect(i.high).toBeGreaterThanOrEqual(i.mean - 1e-12);
      }
      expect(s.perSeed.map((p) => p.seed)).toEqual([5, 6]);
      expect(s.worstDrop.mean).toBeCloseTo((s.perSeed[0]!.worstDrop + s.perSeed[1]!.worstDrop) / 2, 10);
      expect(s.profiles.map((p) => [p.profile, p.seeds])).toEqual([
        ['tflite-int8', 2],
        ['trt-int8-entropy', 2],
      ]);
    }
    // comparisons: Quant-Trim − FP and − QAT for the three statistics, verdict by the interval rule
    expect(report.comparisons.map((c) => `${c.method}-${c.against}:${c.statistic}`)).toEqual([
      'quant-trim-fp:meanDrop',
      'quant-trim-fp:worstDrop',
      'quant-trim-fp:spread',
      'quant-trim-qat:meanDrop',
      'quant-trim-qat:worstDrop',
      'quant-trim-qat:spread',
    ]);
    for (const c of report.comparisons) {
      const expected = c.difference.high < 0 ? 'lower' : c.difference.low > 0 ? 'higher' : 'inconclusive';
      expect(c.direction).toBe(expected);
      if (expected === 'inconclusive') expect(c.verdict).toBe('no difference measurable at 2 seeds');
    }
    expect(report.verdicts).toHaveLength(6);
    // the embedded evaluation (first seed) keeps calibration ranges but not the per-sample predictions
    const firstProfile = report.evaluation.models[0]!.profiles[0]!;
    expect(firstProfile.predictions).toBeUndefined();
    expect(report.evaluation.models[0]!.float['predictions']).toBeUndefined();
    expect(firstProfile.calibration?.tensors?.length).toBeGreaterThan(0);

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/data-chart="drop-intervals"/);
    expect(html).toContain('<section id="drop-sources">');
    const rendered = await run(['report', join(out, 'report.json'), '--out', join(dir, 'again.html')]);
    expect(rendered.code).toBe(0);
    expect(readFileSync(join(dir, 'again.html'), 'utf8')).toBe(html);

    // --resume: every seed finished, so nothing is trained or evaluated again; the statistics are the same
    const resumed = await run([...args, '--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/seed 5: finished earlier, reusing .*seed-5.evaluation\.json/);
    expect(resumed.stdout).toMatch(/seed 6: finished earlier/);
    const again = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as typeof report;
    expect(again.summary).toEqual(report.summary);
    expect(again.comparisons).toEqual(report.comparisons);
  });
});
