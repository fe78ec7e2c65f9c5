import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { fileSystemHandler } from '@quant-trim/fake-quant/node';
import { QuantTrimError } from '@quant-trim/errors';
import { METHODS, describeRecipe, resolveRecipe, type Config, type Method } from '../../config/index.js';
import { exportCheckpoint } from '../../train/exportModels.js';
import { trainMethod, type TrimChoice } from '../../train/trainMethod.js';
import { readLatestQuietly } from '../../train/checkpoints.js';
import { commandLine, type CommandContext } from '../context.js';
import { hasEntries, relativeTo, withOutputDir } from '../outputDir.js';
import { resolveConfig, resolveDataset, resolveModel, schemeChoice, type RunFlags } from '../settings.js';
import { exportImported, importedFloat } from './exportImported.js';

export interface TrainFlags extends RunFlags {
  /** `fp`, `qat`, `quant-trim` (default) or `quant-trim-paper`. */
  readonly method?: string;
  readonly resume?: boolean;
  /** Replace a previous run of this method in `--out` (without it, such a run is refused). */
  readonly force?: boolean;
}

/** A previous run of `method` in `out` (its checkpoints or float model), described; undefined when none. */
export function previousTrainRun(out: string, method: string): string | undefined {
  const dir = join(out, 'checkpoints', method);
  const state = readLatestQuietly(dir);
  if (state !== undefined)
    return `the ${method} checkpoint (${relativeTo(out, dir)}, epoch ${state.epoch} of ${state.epochs}${state.epoch >= state.epochs ? ', finished' : ''})`;
  if (hasEntries(dir)) return `the ${method} checkpoints (${relativeTo(out, dir)})`;
  if (existsSync(join(out, `${method}-float`))) return `the trained ${method} model (${method}-float)`;
  return undefined;
}

/**
 * `quant-trim train`: trains one method and writes `<out>/checkpoints/<method>/` (a complete
 * checkpoint after every epoch, atomically; `--resume` continues from the last one with results
 * identical to an uninterrupted run) and the float checkpoint `<out>/<method>-float/model.json`.
 * An imported model (`--model model.onnx`) is fine-tuned from the file's weights, and its float
 * checkpoint is also exported back to `<out>/<method>-float.onnx` with the original's input layout.
 */
export async function train(flags: TrainFlags, ctx: CommandContext) {
  const method = (flags.method ?? 'quant-trim') as Method;
  if (!(METHODS as readonly string[]).includes(method))
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `--method: expected one of ${METHODS.join(', ')}, got ${JSON.stringify(flags.method)}` });
  const config = await resolveConfig(flags, ctx);
  const claim = {
    command: commandLine(ctx.argv),
    onWarning: (m: string) => ctx.reporter.onWarning?.(m),
    resume: flags.resume === true,
    force: flags.force === true,
    previousRun: (out: string) => previousTrainRun(out, method),
  };
  return withOutputDir(resolve(ctx.cwd, config.out), claim, (out) => trainInto(out, method, config, flags, ctx));
}

async function trainInto(out: string, method: Method, config: Config, flags: TrainFlags, ctx: CommandContext) {
  const dataset = await resolveDataset(config, ctx);
  await initTrainingBackend({ backend: 'wasm' });
  const model = resolveModel(config, dataset, ctx);
  const dir = join(out, 'checkpoints', method);
  const recipe = resolveRecipe(config);
  const result = await trainMethod({
    method,
    build: model.build,
    dataset,
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.lr,
    seed: config.seed,
    scheme: schemeChoice(config),
    lambda: config.lambda,
    freezeBatchNorm: config.freezeBatchNorm,
    trim: config.trim as TrimChoice,
    recipe,
    dir,
    resume: flags.resume === true,
    label: model.name,
    ...(model.imported !== undefined ? { source: model.imported } : {}),
    reporter: ctx.reporter,
    ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
    workers: config.workers ?? 'auto',
  });
  try {
    // An imported model may hold layers exportOnnx cannot write yet: its float model is taken without exporting.
    const float = model.imported === undefined ? exportCheckpoint(result.quantized, { qdq: false }).float : importedFloat(result.quantized);
    const floatDir = join(out, `${method}-float`);
    let onnx: string | undefined;
    try {
      await float.save(fileSystemHandler(floatDir));
      if (model.imported !== undefined) onnx = exportImported(float, join(out, `${method}-float.onnx`), model.imported, ctx);
    } finally {
      float.dispose();
    }
    ctx.reporter.onArtifact?.({ kind: 'checkpoint', path: dir });
    ctx.reporter.onArtifact?.({ kind: 'checkpoint', path: floatDir });
    if (onnx !== undefined) ctx.reporter.onArtifact?.({ kind: 'onnx', path: onnx });
    const last = result.history.at(-1);
    ctx.reporter.onResult?.(
      `${method} ${model.name}: ${result.history.length} epochs, test accuracy ${last === undefined ? '–' : (last.testAccuracy * 100).toFixed(2)} %, checkpoint ${dir}\n`,
    );
    if (method === 'quant-trim') ctx.reporter.onResult?.(`Quant-Trim recipe: ${describeRecipe(recipe, config.trim as TrimChoice).join(' · ')}\n`);
    if (model.imported !== undefined)
      ctx.reporter.onResult?.(
        `imported from ${model.imported.file} (sha256 ${model.imported.sha256}), fine-tuned from its weights (learning rate ${config.lr})${onnx === undefined ? '' : `; exported back to ${onnx} (${model.imported.inputLayout} input)`}\n`,
      );
    return {
      method,
      checkpoint: dir,
      float: floatDir,
      history: result.history,
      ...(onnx !== undefined ? { onnx } : {}),
      ...(model.imported !== undefined ? { imported: model.imported } : {}),
    };
  } finally {
    result.quantized.dispose();
    result.trim?.dispose();
  }
}
