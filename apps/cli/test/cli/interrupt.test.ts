import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, tempDir } from './helpers.js';

const cliDir = fileURLToPath(new URL('../../', import.meta.url));
const ARGS = [
  'train',
  '--method',
  'quant-trim',
  '--model',
  'mlp',
  '--dataset',
  'synthetic',
  '--train-limit',
  '4000',
  '--test-limit',
  '200',
  '--epochs',
  '3',
  '--batch-size',
  '50',
  '--seed',
  '3',
];

interface Latest {
  epoch: number;
  history: { epoch: number; loss: number; testAccuracy: number }[];
}
const latest = (out: string) => JSON.parse(readFileSync(join(out, 'checkpoints', 'quant-trim', 'latest.json'), 'utf8')) as Latest;
const withoutTimes = (l: Latest) => l.history.map(({ epoch, loss, testAccuracy }) => ({ epoch, loss, testAccuracy }));

interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command args` in a child process and sends SIGINT (Ctrl-C) once the first epoch has ended
 * (its checkpoint written): to the child alone, or, with `group`, to its whole process group as a
 * terminal does (npm, its shell and the CLI).
 */
function interruptAfterFirstEpoch(command: string, args: readonly string[], cwd: string, group = false): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, CI: '1' }, detached: group });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += String(d);
      if (!sent && /quant-trim epoch 1\/3\s+loss/.test(stdout)) {
        sent = true;
        if (group) process.kill(-child.pid!, 'SIGINT');
        else child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
// One Node process (tsx as an import hook, not its CLI wrapper), so the signal reaches our handler.
const interruptCli = (out: string) =>
  interruptAfterFirstEpoch(process.execPath, ['--conditions=@quant-trim/source', '--import', 'tsx', 'src/cli.ts', ...ARGS, '--out', out], cliDir);
// The documented entry point, from the repository root.
const interruptNpmScript = (out: string) => interruptAfterFirstEpoch('npm', ['run', '--silent', 'quant-trim', '--', ...ARGS, '--out', out], repoRoot, true);

describe('Ctrl-C during training', () => {
  it('through the documented entry point (npm run quant-trim): the message, the --resume hint, exit 130, the checkpoint kept', async () => {
    const out = join(tempDir('interrupt-npm'), 'out');
    const interrupted = await interruptNpmScript(out);
    expect(interrupted.stderr).toMatch(/interrupting after the current step/);
    expect(interrupted.stderr).toMatch(/error QT_INTERRUPTED: interrupted during epoch 2 of quant-trim/);
    expect(interrupted.stderr).toMatch(/hint: rerun the same command with --resume/);
    // The CLI exits 130; npm, which got the same SIGINT, re-raises it once its script has ended: a shell reports 130 either way.
    expect(interrupted.code === 130 || interrupted.signal === 'SIGINT').toBe(true);
    expect(latest(out).epoch).toBe(1);
  }, 180_000);

  it('exits 130 keeping the last complete checkpoint; --resume ends exactly like an uninterrupted run', async () => {
    const dir = tempDir('interrupt');
    const interrupted = await interruptCli(join(dir, 'a'));
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/interrupting after the current step/);
    expect(interrupted.stderr).toMatch(/error QT_INTERRUPTED: interrupted during epoch 2 of quant-trim/);
    expect(interrupted.stderr).toMatch(/hint: rerun the same command with --resume/);
    expect(latest(join(dir, 'a')).epoch).toBe(1);
    // the output directory's lock is released on Ctrl-C
    expect(existsSync(join(dir, 'a', '.quant-trim.lock'))).toBe(false);

    const resumed = await run([...ARGS, '--out', join(dir, 'a'), '--resume']);
    expect(resumed.code).toBe(0);
    const straight = await run([...ARGS, '--out', join(dir, 'b')]);
    expect(straight.code).toBe(0);
    expect(latest(join(dir, 'a')).epoch).toBe(3);
    expect(withoutTimes(latest(join(dir, 'a')))).toEqual(withoutTimes(latest(join(dir, 'b'))));
    // the float checkpoints written at the end are identical too
    expect(readFileSync(join(dir, 'a', 'quant-trim-float', 'weights.bin'))).toEqual(readFileSync(join(dir, 'b', 'quant-trim-float', 'weights.bin')));
  }, 180_000);
});
