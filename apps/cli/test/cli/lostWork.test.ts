import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAST, FAST_TRAIN, run, tempDir } from './helpers.js';

/** The lock file of an output directory (src/commands/outputDir.ts). */
const LOCK_FILE = '.quant-trim.lock';
const TRAIN = ['train', '--model', 'mlp', '--method', 'fp', ...FAST_TRAIN];
const lock = (pid: number) => `${JSON.stringify({ pid, hostname: hostname(), started: '2026-01-01T00:00:00.000Z', command: 'quant-trim train --out x' })}\n`;
/** The pid of a process that has exited (no timing involved: spawnSync waits for it). */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('a previous run in --out is not silently replaced', () => {
  it('train over a finished checkpoint exits 4 naming the directory, keeps the checkpoint; --force replaces it, --resume continues, both together are a usage error', async () => {
    const out = join(tempDir('rerun'), 'out');
    expect((await run([...TRAIN, '--out', out])).code).toBe(0);
    const latest = join(out, 'checkpoints', 'fp', 'latest.json');
    const before = readFileSync(latest, 'utf8');
    const mtime = statSync(latest).mtimeMs;

    const again = await run([...TRAIN, '--out', out]);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain(
      `error QT_OUTPUT_EXISTS: the output directory ${out} already holds the fp checkpoint (checkpoints/fp, epoch 1 of 1, finished); this run would replace it`,
    );
    expect(again.stderr).toMatch(/hint: rerun with --resume to continue it, --force to replace it, or choose another --out/);
    expect(readFileSync(latest, 'utf8')).toBe(before);
    expect(statSync(latest).mtimeMs).toBe(mtime);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);

    // Another method into the same --out is not a rerun.
    const qat = await run(['train', '--model', 'mlp', '--method', 'qat', ...FAST_TRAIN, '--out', out]);
    expect(qat.code).toBe(0);

    const both = await run([...TRAIN, '--out', out, '--resume', '--force']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/QT_INVALID_ARGUMENT: --resume and --force contradict each other/);

    const resumed = await run([...TRAIN, '--out', out, '--resume']);
    expect(resumed.code).toBe(0);
    expect(readFileSync(latest, 'utf8')).toBe(before); // epoch 1 of 1: nothing left to train

    const forced = await run([...TRAIN, '--out', out, '--force']);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(latest, 'utf8')).epoch).toBe(1);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  }, 300_000);

  it('compare over a finished comparison exits 4; demo reruns (it replaces its own previous demo)', async () => {
    const out = join(tempDir('compare-rerun'), 'out');
    const args = [
      'compare',
      ...FAST,
      '--model',
      'mlp',
      '--methods',
      'fp',
      '--seeds',
      '1',
      '--profiles',
      'tflite-int8',
      '--bootstrap-resamples',
      '100',
      '--out',
      out,
    ];
    expect((await run(args)).code).toBe(0);
    const report = readFileSync(join(out, 'report.json'), 'utf8');
    const again = await run(args);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/QT_OUTPUT_EXISTS: the output directory .* already holds a finished comparison \(report\.json\)/);
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe(report);

    const demoOut = join(tempDir('demo-rerun'), 'demo');
    const demo = ['demo', ...FAST, '--model', 'mlp', '--profiles', 'tflite-int8', '--bootstrap-resamples', '100', '--out', demoOut];
    expect((await run(demo)).code).toBe(0);
    const second = await run(demo);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
  }, 600_000);
});

describe('an output directory is locked while a run writes it', () => {
  it('a lock held by a live process (this one) stops a second writer with exit 4 naming the holder; nothing is written and the lock stays', async () => {
    const out = tempDir('locked');
    writeFileSync(join(out, LOCK_FILE), lock(process.pid));
    const r = await run([...TRAIN, '--out', out]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      `error QT_OUTPUT_LOCKED: the output directory ${out} is being written by pid ${process.pid} on ${hostname()}, started 2026-01-01T00:00:00.000Z (quant-trim train --out x)`,
    );
    expect(r.stderr).toContain(`if no quant-trim run is writing there, delete ${join(out, LOCK_FILE)}`);
    expect(readdirSync(out)).toEqual([LOCK_FILE]);
    expect(readFileSync(join(out, LOCK_FILE), 'utf8')).toBe(lock(process.pid));
    const e = await run(['export', join(out, 'nowhere'), '--out', out]);
    expect(e.code).toBe(3); // export checks its input before it locks anything
  }, 300_000);

  it('a stale lock (its process is gone) is taken over with a warning, and released at the end', async () => {
    const out = tempDir('stale');
    const pid = deadPid();
    writeFileSync(join(out, LOCK_FILE), lock(pid));
    const r = await run([...TRAIN, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`warning: .*${LOCK_FILE}: taking over a stale lock of pid ${pid} on `));
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    expect(existsSync(join(out, 'checkpoints', 'fp', 'latest.json'))).toBe(true);
  }, 300_000);
});

describe('failing commands leave no empty output directory behind', () => {
  it('removes the directories a failed run created, never one that was there or a user file', async () => {
    const dir = tempDir('no-empty');
    const created = join(dir, 'new', 'nested', 'out');
    const bad = await run(['train', '--dataset', join(dir, 'missing-data'), '--out', created]);
    expect(bad.code).toBe(3);
    expect(existsSync(join(dir, 'new'))).toBe(false);

    const existing = join(dir, 'existing');
    mkdirSync(existing);
    writeFileSync(join(existing, 'notes.txt'), 'mine');
    const failed = await run(['train', '--dataset', join(dir, 'missing-data'), '--out', existing]);
    expect(failed.code).toBe(3);
    expect(readdirSync(existing)).toEqual(['notes.txt']);

    const png = join(dir, 'photo.onnx');
    writeFileSync(png, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const evalOut = join(dir, 'eval-out');
    const e = await run(['eval', png, '--dataset', 'synthetic', '--out', evalOut]);
    expect(e.code).toBe(3);
    expect(existsSync(evalOut)).toBe(false);
  }, 300_000);
});

describe('export writes nothing that did not verify', () => {
  it('--format qdq of an FP checkpoint is refused (exit 2) and writes no file or directory; --samples 0 names the flag', async () => {
    const dir = tempDir('fp-qdq');
    const out = join(dir, 'out');
    expect((await run([...TRAIN, '--out', out])).code).toBe(0);
    const onnx = join(dir, 'onnx');
    const qdq = await run(['export', join(out, 'checkpoints', 'fp'), '--format', 'qdq', '--out', onnx]);
    expect(qdq.code).toBe(2);
    expect(qdq.stderr).toMatch(
      /QT_INVALID_ARGUMENT: --format qdq: .*epoch-1 is an FP checkpoint \(trained with --method fp\): it has no quantization grids to export as QDQ/,
    );
    expect(qdq.stderr).toMatch(/hint: export it with --format fp32/);
    expect(existsSync(onnx)).toBe(false);
    // the same from the epoch's model directory (no latest.json to say it is FP)
    const bare = await run(['export', join(out, 'checkpoints', 'fp', 'epoch-1'), '--format', 'both', '--out', onnx]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--format both: .* is a model without quantizers/);
    expect(existsSync(onnx)).toBe(false);

    const zero = await run(['export', join(out, 'checkpoints', 'fp'), '--samples', '0', '--out', onnx]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/^error QT_INVALID_ARGUMENT: --samples must be an integer ≥ 1, got 0$/m);
    expect(zero.stderr).toMatch(/^hint: /m);
    expect(existsSync(onnx)).toBe(false);
    const opset = await run(['export', join(out, 'checkpoints', 'fp'), '--opset', '99', '--out', onnx]);
    expect(opset.code).toBe(2);
    expect(opset.stderr).toMatch(/--opset must be an integer from 13 to 21, got "?99"?/);
    expect(opset.stderr).not.toMatch(/options\./);

    const ok = await run(['export', join(out, 'checkpoints', 'fp'), '--out', onnx]);
    expect(ok.code).toBe(0);
    expect(readdirSync(onnx)).toEqual(['fp.fp32.onnx']);
  }, 300_000);
});
