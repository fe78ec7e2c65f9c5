import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { QuantTrimError } from '@quant-trim/errors';
import type { HistoryEntry, Method, ScheduleSample } from '../report/types.js';

/**
 * What a method's checkpoint directory holds besides the model: the training-loop state. The file
 * `latest.json` is written last (temp file + rename), so it always names a complete checkpoint.
 */
export interface TrainState {
  readonly version: 1;
  readonly method: Method;
  /** Epochs completed. */
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  /** Directory of the model checkpoint for `epoch`, relative to the method directory. */
  readonly checkpoint: string;
  readonly history: readonly HistoryEntry[];
  readonly schedule: readonly ScheduleSample[];
  /** What must match for a resume: seed, model, dataset, batch size, lr, scheme. */
  readonly fingerprint: Readonly<Record<string, unknown>>;
  readonly trainSeconds: number;
}

export const LATEST = 'latest.json';

/** Writes `text` to `path` atomically (temp file in the same directory, then rename). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new QuantTrimError({
      code: 'QT_OUTPUT_UNWRITABLE',
      message: `cannot write ${path}: ${(e as Error).message}`,
      cause: e,
      details: { path, hint: 'check that the output directory is writable (--out)' },
    });
  }
}

/** The last complete checkpoint of a method directory, or undefined when there is none. */
export function readLatest(methodDir: string): TrainState | undefined {
  const file = join(methodDir, LATEST);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as TrainState;
    if (state.version !== 1 || !existsSync(join(methodDir, state.checkpoint, 'model.json'))) throw new Error('incomplete checkpoint');
    return state;
  } catch (e) {
    throw new QuantTrimError({
      code: 'QT_MODEL_LOAD',
      message: `cannot resume from ${file}: ${(e as Error).message}`,
      cause: e,
      details: { path: file, hint: 'rerun with --force instead of --resume to start over' },
    });
  }
}

/** `latest.json` of a method directory if it is there and readable, else undefined (never throws). */
export function readLatestQuietly(methodDir: string): TrainState | undefined {
  try {
    const state = JSON.parse(readFileSync(join(methodDir, LATEST), 'utf8')) as TrainState;
    return typeof state.epoch === 'number' && typeof state.epochs === 'number' ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Commits a checkpoint: `latest.json` now names it; the previous epoch's model directory is removed. */
export function commitLatest(methodDir: string, state: TrainState, previous: TrainState | undefined): void {
  writeFileAtomic(join(methodDir, LATEST), `${JSON.stringify(state, null, 2)}\n`);
  if (previous !== undefined && previous.checkpoint !== state.checkpoint) rmSync(join(methodDir, previous.checkpoint), { recursive: true, force: true });
}

/**
 * Why the model checkpoint `dir` could not be loaded, in the user's words: a weights file that is
 * empty or shorter than `model.json` says is named with its size; otherwise tfjs's own message.
 */
export function checkpointLoadProblem(dir: string, error: unknown): string {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      weightsManifest?: { paths: string[]; weights: { shape: number[]; dtype?: string }[] }[];
    };
    const manifest = json.weightsManifest ?? [];
    const expected = manifest.flatMap((m) => m.weights).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * (w.dtype === 'bool' ? 1 : 4), 0);
    const files = manifest.flatMap((m) => m.paths);
    const actual = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    if (files.length > 0 && actual < expected) {
      return `${files.join(', ')} ${files.length === 1 ? 'is' : 'are'} ${actual === 0 ? 'empty (0 bytes)' : `${actual.toLocaleString('en-US')} bytes`}, model.json needs ${expected.toLocaleString('en-US')}: the checkpoint is truncated`;
    }
  } catch {
    // model.json itself is unreadable: tfjs's message says so
  }
  return (error as Error).message ?? String(error);
}
