import { addOutputs, writeOnnx, type OnnxModel } from '@quant-trim/onnx-export';
import { compileWithStats, type CompiledModel, type CompileOptions, type CompileReuse } from '../compile/compileForBackend.js';
import { rowsPerCall, type CalibrationData, type FeedCalibrationData } from '../compile/calibrate.js';
import type { Logits } from '../metrics/classificationMetrics.js';
import { addSqnrSums, finiteDb, sqnrDb, sqnrOfSums } from '../metrics/fidelity.js';
import type { BackendProfile } from '../profiles/types.js';
import { firstOutputLogits, firstSamples, runAll, runOutputs, sampleRange, type ModelFeeds } from '../runtime/runBatches.js';
import { createRuntimeSession } from '../runtime/sessions.js';
import type { LayerSensitivity, SensitivityReport } from './reportTypes.js';

/**
 * Samples per ONNX Runtime call in the sensitivity runs (at most 16, fewer for large inputs: see
 * `rowsPerCall`): the accumulated SQNR streams the float and quantized models' intermediate tensors
 * in chunks of this many samples (memory: one chunk's intermediates, whatever `sensitivity.samples`
 * is), and the isolated compiles run in batches of it.
 */
const chunkFor = (feeds: ModelFeeds) => Math.min(16, rowsPerCall(feeds.inputs));

/**
 * Per-layer sensitivity: the accumulated SQNR of each quantized layer's output in the fully
 * quantized model, and the isolated SQNR of the logits when only that layer (with the activations
 * fused into it) is quantized, with the activation parameters and bias corrections of the full
 * compile (reused, so the isolated compiles do not read the calibration data again).
 */
export async function layerSensitivity(
  model: { readonly fp: OnnxModel; readonly feeds: ModelFeeds; readonly floatLogits: Logits },
  profile: BackendProfile,
  { compiled, reuse }: { compiled: CompiledModel; reuse: CompileReuse },
  calibration: () => CalibrationData | FeedCalibrationData,
  compileOptions: CompileOptions,
  settings: { samples: number | 'auto'; thresholdDb: number },
): Promise<SensitivityReport> {
  const layers = compiled.coverage.filter((c) => c.weightBits !== undefined);
  const inputs = firstSamples(model.feeds, settings.samples === 'auto' ? autoSamples(model.feeds.samples, layers.length) : settings.samples);
  const nodeOutput = new Map(model.fp.graph.nodes.map((n) => [n.name, n.outputs[0]!]));
  // Node names in `coverage` are those of the compiled (BN-folded) graph; output tensor names survive compilation.
  const compiledOutput = new Map<string, string>();
  for (const c of layers) {
    const original = nodeOutput.get(c.node);
    if (original !== undefined) compiledOutput.set(c.node, original);
  }
  const names = [...new Set(compiledOutput.values())].filter(
    (t) => compiled.model.graph.nodes.some((n) => n.outputs.includes(t)) || compiled.model.graph.outputs.some((o) => o.name === t),
  );
  const accumulated = await accumulatedSqnr(model.fp, compiled.model, names, inputs);
  const floatLogits = model.floatLogits.data.subarray(0, inputs.samples * model.floatLogits.classes);

  const result: LayerSensitivity[] = [];
  const tensorsOf = new Map(compiled.layerTensors.map((l) => [l.node, l]));
  const allNodes = compiled.coverage.map((c) => c.node);
  for (const layer of layers) {
    const t = compiledOutput.get(layer.node);
    const tensors = tensorsOf.get(layer.node);
    // The layer with its fused activation chain, as the backend runs it.
    const quantized = new Set([layer.node, ...(tensors?.fused ?? [])]);
    const { compiled: alone } = await compileWithStats(
      model.fp,
      profile,
      calibration(),
      { ...compileOptions, floatNodes: allNodes.filter((n) => !quantized.has(n)) },
      reuse,
    );
    const logits = firstOutputLogits(await runAll('onnxruntime-node', alone.bytes('emulate'), 'emulate', inputs, chunkFor(inputs), 1));
    result.push({
      node: layer.node,
      opType: layer.opType,
      outputSqnrDb: finiteDb(t !== undefined ? (accumulated.get(t) ?? Number.NaN) : Number.NaN),
      isolatedSqnrDb: finiteDb(sqnrDb(floatLogits, logits.data)),
      ...(tensors?.input !== undefined ? { inputTensor: tensors.input } : {}),
      ...(tensors?.output !== undefined ? { outputTensor: tensors.output } : {}),
    });
  }
  const keepFloat = result
    .filter((l) => l.isolatedSqnrDb < settings.thresholdDb)
    .sort((a, b) => a.isolatedSqnrDb - b.isolatedSqnrDb)
    .map((l) => l.node);
  return { samples: inputs.samples, layers: result, keepFloat, thresholdDb: settings.thresholdDb };
}

/**
 * The default sensitivity sample count: the isolated runs (one per layer) together cost about one
 * pass over the test set — `testSamples / layers`, between 32 and 256, at most `testSamples`.
 */
export function autoSamples(testSamples: number, layers: number): number {
  return Math.min(testSamples, Math.max(32, Math.min(256, Math.floor(testSamples / Math.max(1, layers)))));
}

/**
 * SQNR of named tensors of `quantized` against the same tensors of `float` over `feeds`, both
 * models run side by side on chunks of `chunkFor` samples (emulate mode, onnxruntime-node, one
 * thread) with the sums accumulated, so memory does not grow with the sample count. A model whose
 * input has a fixed batch size runs in calls of exactly that many samples (see `runOutputs`).
 */
async function accumulatedSqnr(float: OnnxModel, quantized: OnnxModel, names: readonly string[], feeds: ModelFeeds): Promise<Map<string, number>> {
  const probe = (m: OnnxModel) =>
    writeOnnx(
      addOutputs(
        m,
        names.filter((n) => !m.graph.outputs.some((o) => o.name === n)),
      ),
    );
  const f = await createRuntimeSession('onnxruntime-node', probe(float), { mode: 'emulate', threads: 1 });
  try {
    const q = await createRuntimeSession('onnxruntime-node', probe(quantized), { mode: 'emulate', threads: 1 });
    try {
      const sums = new Map(names.map((n) => [n, { signal: 0, noise: 0 }]));
      const chunk = chunkFor(feeds);
      for (let start = 0; start < feeds.samples; start += chunk) {
        const part = sampleRange(feeds, start, chunk);
        const byName = (outputs: { name: string; data: Float32Array }[]) => new Map(outputs.map((o) => [o.name, o.data]));
        const fv = byName(await runOutputs(f, part, { batchSize: chunk }));
        const qv = byName(await runOutputs(q, part, { batchSize: chunk }));
        for (const [name, s] of sums) addSqnrSums(s, fv.get(name)!, qv.get(name)!);
      }
      return new Map([...sums].map(([name, s]) => [name, sqnrOfSums(s)]));
    } finally {
      await q.release();
    }
  } finally {
    await f.release();
  }
}
