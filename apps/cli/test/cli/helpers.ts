import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli.js';

/** A writable that collects text. */
export function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(w, { text: () => chunks.join('') });
}

/** Runs the CLI in-process: exit code, stdout and stderr. */
export async function run(argv: string[], cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const code = await main(argv, { stdout, stderr, cwd, handleSignals: false });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

export const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `qt-cli-${name}-`));

/** Small, fast training settings: synthetic digits, few samples, one epoch. */
export const FAST_TRAIN = ['--dataset', 'synthetic', '--train-limit', '600', '--test-limit', '200', '--epochs', '1', '--batch-size', '50'];
/** ... and evaluation without the real runtimes. */
export const FAST = [...FAST_TRAIN, '--runtimes', 'none', '--calibration-samples', '64'];
/** Evaluation-only settings (eval). */
export const FAST_EVAL = ['--dataset', 'synthetic', '--train-limit', '600', '--test-limit', '200', '--runtimes', 'none', '--calibration-samples', '64'];
