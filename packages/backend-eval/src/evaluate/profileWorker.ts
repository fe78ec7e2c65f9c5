/**
 * Worker-thread entry of `evaluate({ workers })` (run by tinypool): evaluates one model on one
 * profile with the same `evaluateProfile` as the calling thread, from a `ProfileJob`.
 */
import { readOnnx } from '@quant-trim/onnx-export';
import { countMacs } from '../estimate/countMacs.js';
import { builtinMetrics } from '../metrics/builtinMetrics.js';
import type { Metric } from '../metrics/defineMetric.js';
import { firstOutputLogits } from '../runtime/runBatches.js';
import type { RuntimeName } from './reportTypes.js';
import { evaluateProfile, type ModelContext } from './evaluate.js';
import { calibrationSource } from './evaluationData.js';
import type { ProfileJob, ProfileJobResult } from './profilePool.js';

export default async function runProfileJob(job: ProfileJob): Promise<ProfileJobResult> {
  const port = job.progress;
  try {
    const fp = readOnnx(job.model.fpBytes);
    const ctx: ModelContext = {
      name: job.model.name,
      notes: job.model.notes,
      fp,
      fpBytes: job.model.fpBytes,
      feeds: job.feeds,
      floatOutputs: job.floatOutputs,
      floatLogits: firstOutputLogits(job.floatOutputs),
      floatScores: job.floatScores,
      macs: countMacs(fp, { inputShape: [1, ...job.feeds.inputs[0]!.sampleShape] }),
      compile: job.model.compile,
    };
    const versions: Partial<Record<RuntimeName, string>> = {};
    let nativeBytes: Uint8Array | undefined;
    const result = await evaluateProfile(ctx, job.profile, calibrationSource(job.data).source, {
      ...job.settings,
      keepNative: (bytes) => (nativeBytes = bytes),
      data: job.data,
      feeds: job.feeds,
      metrics: job.metricIds.map((id) => (Object.values(builtinMetrics) as readonly Metric[]).find((m) => m.id === id)!),
      versions,
      progress: (stage) => port.postMessage(stage),
    });
    return { result, versions, ...(nativeBytes !== undefined ? { nativeBytes } : {}) };
  } finally {
    port.close();
  }
}
