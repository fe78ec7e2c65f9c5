import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationReport } from '@quant-trim/backend-eval';
import { writeFileAtomic } from '../train/checkpoints.js';

type ModelReport = EvaluationReport['models'][number];

/** One checkpoint's evaluation, kept beside it: the backend-eval report's frame and the model's entry. */
interface CachedEvaluation {
  readonly key: string;
  readonly frame: Omit<EvaluationReport, 'models'>;
  readonly model: ModelReport;
}

/**
 * The cache key of evaluating one exported model: a SHA-256 over the ONNX file's bytes and the
 * settings that decide the result (profiles, data, calibration slice, runtimes, tool versions).
 * The same checkpoint evaluated the same way — e.g. the FP and QAT checkpoints that several
 * `compare` runs share — has the same key.
 */
export function evaluationKey(onnx: Uint8Array, settings: Record<string, unknown>): string {
  return createHash('sha256').update(onnx).update(JSON.stringify(settings)).digest('hex');
}

const fileOf = (dir: string, key: string) => join(dir, `evaluation-${key.slice(0, 16)}.json`);

/** The cached evaluation of `key` in a checkpoint directory, if one was written with exactly that key. */
export function readCachedEvaluation(dir: string, key: string): { frame: Omit<EvaluationReport, 'models'>; model: ModelReport } | undefined {
  const file = fileOf(dir, key);
  if (!existsSync(file)) return undefined;
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as CachedEvaluation;
    return cached.key === key ? { frame: cached.frame, model: cached.model } : undefined;
  } catch {
    return undefined; // a damaged cache file is evaluated again (and rewritten)
  }
}

/** Writes one model's evaluation beside its checkpoint (atomically). */
export function writeCachedEvaluation(dir: string, key: string, report: EvaluationReport, model: ModelReport): void {
  const { models: _models, ...frame } = report;
  writeFileAtomic(fileOf(dir, key), JSON.stringify({ key, frame, model } satisfies CachedEvaluation));
}
