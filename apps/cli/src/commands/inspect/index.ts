import { countMacs, coverageFor, coverageSummary, defaultBackendRegistry } from '@quant-trim/backend-eval';
import { QuantTrimError } from '@quant-trim/errors';
import { defaultOpset, type OnnxModel } from '@quant-trim/onnx-export';
import { decodeOnnx } from '../../models/decodeOnnx.js';
import { DEFAULT_DISAGREEMENT_METHODS, defaultRegistry, type SchemeName } from '@quant-trim/quant-grid';
import { resolveSchemes } from '../../config/index.js';
import { seededSubset } from '../../data/split.js';
import { activationDisagreement, type TensorDisagreement } from '../../diagnostics/activationDisagreement.js';
import { formatTable } from '../../output/formatTable.js';
import { readInputFile, type CommandContext } from '../context.js';
import { inputLayout, toLayout } from '../eval/index.js';
import { resolveConfig, resolveDataset } from '../settings.js';

export interface InspectFlags {
  readonly profiles?: string | readonly string[];
  /** `--dataset <name|path>`: run the calibrator-disagreement diagnostic on a calibration slice of it. */
  readonly dataset?: string | number;
  /** `--calibration-samples <n>`: size of the slice (default: the config's, 512). */
  readonly calibrationSamples?: number | string;
  /** `--seed <s>`: seed of the data split and the slice (as `eval` / `compare`). */
  readonly seed?: number | string;
  /** `--train-limit <n>`: the training split the slice is drawn from (as `eval` / `compare`). */
  readonly trainLimit?: number | string;
  /** `--activations <preset>`: the activation grid (default uint8-asym-per-tensor). */
  readonly activations?: string;
  /** `--top <n>`: tensors printed (default 10; the returned object holds all). */
  readonly top?: number | string;
  /** `--config <file>`: config file whose seed, calibrationSamples, trainLimit and activation preset apply. */
  readonly config?: string;
}

/** The calibrator-disagreement part of `inspect`'s result (with `--dataset`). */
export interface InspectDisagreement {
  readonly dataset: string;
  readonly seed: number;
  /** Calibration samples run through the model. */
  readonly samples: number;
  /** Activation preset whose grid the methods' ranges are turned into. */
  readonly scheme: string;
  readonly layout: 'NHWC' | 'NCHW' | 'flat';
  /** Every measured tensor, sorted by ratio (largest first); the text shows the first `top`. */
  readonly tensors: readonly TensorDisagreement[];
  readonly skipped: readonly { readonly tensor: string; readonly reason: string }[];
  readonly top: number;
}

const DIAGNOSTIC_FLAGS = [
  ['calibrationSamples', '--calibration-samples'],
  ['seed', '--seed'],
  ['trainLimit', '--train-limit'],
  ['activations', '--activations'],
  ['top', '--top'],
  ['config', '--config'],
] as const;

const list = (v: string | readonly string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : (Array.isArray(v) ? v : String(v).split(',')).map((s) => s.trim()).filter(Boolean);
const shape = (s: readonly (number | string | null)[] | undefined) => (s === undefined ? '?' : `[${s.map((d) => d ?? '?').join(', ')}]`);
const num = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(3))) : String(v));
const pct = (c: number) => (c === 0 ? '0%' : c < 0.001 ? '<0.1%' : `${(c * 100).toFixed(1)}%`);
const ratioText = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '∞');

function topFlag(value: number | string | undefined): number {
  if (value === undefined) return 10;
  const n = typeof value === 'number' ? value : String(value).trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `--top: expected an integer ≥ 1, got ${JSON.stringify(value)}`,
      details: { field: '--top' },
    });
  return n;
}

/**
 * The calibrator-disagreement diagnostic: the model's activation tensors over the same seeded
 * calibration slice `eval` / `compare` use, and per tensor each calibration method's range and
 * clipped share on the activation grid.
 */
async function disagreement(model: OnnxModel, modelPath: string, flags: InspectFlags, ctx: CommandContext): Promise<InspectDisagreement> {
  const top = topFlag(flags.top);
  const config = await resolveConfig(
    {
      dataset: flags.dataset!,
      ...(flags.config !== undefined ? { config: flags.config } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.calibrationSamples !== undefined ? { calibrationSamples: flags.calibrationSamples } : {}),
      ...(flags.trainLimit !== undefined ? { trainLimit: flags.trainLimit } : {}),
      ...(flags.activations !== undefined ? { activations: flags.activations } : {}),
    },
    ctx,
  );
  const preset = resolveSchemes(config.scheme).activations;
  const scheme = defaultRegistry.scheme(preset as SchemeName);
  const dataset = await resolveDataset(config, ctx, { test: false });
  const input = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name));
  let layout: ReturnType<typeof inputLayout>;
  try {
    layout = inputLayout(input?.shape, dataset);
  } catch (e) {
    if (e instanceof QuantTrimError) throw new QuantTrimError({ code: e.code, message: `${modelPath}: ${e.message} (--dataset ${config.dataset})`, cause: e });
    throw e;
  }
  const sampleSize = layout.sampleShape.reduce((a, b) => a * b, 1);
  const cal = seededSubset(dataset.train, sampleSize, config.seed, 'calibration', config.calibrationSamples);
  const label = `capture activations of ${modelPath} (${cal.count} samples)`;
  ctx.reporter.onPhaseStart?.({ phase: 'calibrate', label });
  const t0 = performance.now();
  const result = await activationDisagreement(
    model,
    { x: toLayout(cal.x, cal.count, dataset, layout.layout), count: cal.count, sampleShape: layout.sampleShape },
    scheme,
    {
      ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
      onProgress: (e) => ctx.reporter.onProgress?.({ phase: 'calibrate', label, done: e.done, total: e.total }),
    },
  );
  ctx.reporter.onPhaseEnd?.({ phase: 'calibrate', label, seconds: (performance.now() - t0) / 1000 });
  return {
    dataset: dataset.name,
    seed: config.seed,
    samples: result.samples,
    scheme: preset,
    layout: layout.layout,
    tensors: result.tensors,
    skipped: result.skipped,
    top,
  };
}

function disagreementText(d: InspectDisagreement): string {
  const known = DEFAULT_DISAGREEMENT_METHODS.map((m) => (typeof m === 'string' ? m : (m.label ?? m.name)));
  const present = new Set(d.tensors.flatMap((t) => t.methods.map((m) => m.method)));
  const methods = [...known.filter((m) => present.has(m)), ...[...present].filter((m) => !known.includes(m))];
  const shown = d.tensors.slice(0, d.top);
  return [
    `calibrator disagreement — ${d.samples} calibration samples of ${d.dataset} (seed ${d.seed}, ${d.layout}), ${d.scheme} grid: ${d.tensors.length} activation tensors, top ${shown.length} by ratio`,
    'ratio = widest / narrowest grid over the methods; each method: chosen range (share of values its grid clips)',
    formatTable(shown, [
      { header: 'tensor', value: (t) => t.name },
      { header: 'op', value: (t) => (t.kind === 'output' ? `${t.op} (output)` : t.op) },
      { header: 'ratio', value: (t) => ratioText(t.ratio), align: 'right' },
      ...methods.map((m) => ({
        header: m,
        value: (t: TensorDisagreement) => {
          const c = t.methods.find((x) => x.method === m);
          return c === undefined ? undefined : `${num(c.range[0])}…${num(c.range[1])} (${pct(c.clipped)})`;
        },
        align: 'right' as const,
      })),
    ]),
    ...d.skipped.map((s) => `skipped  ${s.tensor}: ${s.reason}`),
  ].join('\n');
}

/**
 * `quant-trim inspect <model.onnx>`: the graph's ops, inputs and outputs, parameters and MACs, and
 * per backend profile what runs on the accelerator, quantized, and what falls back (and why).
 * With `--dataset`, also how far the backends' calibration methods disagree about each activation
 * tensor's range (`disagreement`), on a seeded calibration slice of the dataset.
 */
export async function inspect(modelPath: string, flags: InspectFlags, ctx: CommandContext) {
  const model = decodeOnnx(readInputFile(ctx.cwd, modelPath, 'the ONNX model'), modelPath);
  if (flags.dataset === undefined) {
    const given = DIAGNOSTIC_FLAGS.find(([key]) => flags[key] !== undefined);
    if (given !== undefined) {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `${given[1]} applies to the calibrator-disagreement diagnostic, which needs --dataset <name|path>`,
        details: { field: given[1], hint: 'add --dataset (e.g. --dataset mnist), or drop the flag' },
      });
    }
  }
  const { graph } = model;
  const ops = new Map<string, number>();
  for (const n of graph.nodes) ops.set(n.domain ? `${n.domain}:${n.opType}` : n.opType, (ops.get(n.opType) ?? 0) + 1);
  const parameters = [...graph.initializers.values()].filter((t) => t.dataType === 1).reduce((a, t) => a + t.data.length, 0);
  const macs = countMacs(model);
  const ids = list(flags.profiles) ?? defaultBackendRegistry.ids();
  const profiles = ids.map((id) => defaultBackendRegistry.get(id));
  const coverage = profiles.map((p) => {
    const nodes = coverageFor(model, p);
    const summary = coverageSummary(nodes, macs);
    const fallback = nodes.filter((n) => n.transparent !== true && !n.onAccelerator);
    return {
      profile: p.id,
      onAccelerator: summary.onAccelerator!,
      integer: summary.integer,
      total: summary.total,
      macShare: summary.macShare,
      acceleratorMacShare: summary.acceleratorMacShare!,
      fallback: [...new Set(fallback.map((n) => n.opType))],
    };
  });
  const found = flags.dataset === undefined ? undefined : await disagreement(model, modelPath, flags, ctx);
  const inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  const text = [
    `${modelPath}: opset ${defaultOpset(model)}, IR ${model.irVersion}${model.producerName ? `, produced by ${model.producerName} ${model.producerVersion ?? ''}` : ''}`,
    `inputs   ${inputs.map((i) => `${i.name} ${shape(i.shape)}`).join(', ')}`,
    `outputs  ${graph.outputs.map((o) => `${o.name} ${shape(o.shape)}`).join(', ')}`,
    `nodes    ${graph.nodes.length}: ${[...ops].map(([op, n]) => `${op} ×${n}`).join(', ')}`,
    `params   ${parameters.toLocaleString('en-US')} float weights; ${macs.totalMacs.toLocaleString('en-US')} MACs per sample`,
    ...macs.warnings.map((w) => `warning  ${w}`),
    '',
    formatTable(coverage, [
      { header: 'profile', value: (c) => c.profile },
      { header: 'on accelerator', value: (c) => `${c.onAccelerator}/${c.total}`, align: 'right' },
      { header: 'quantized', value: (c) => `${c.integer}/${c.total}`, align: 'right' },
      { header: 'MACs quantized %', value: (c) => (c.macShare * 100).toFixed(1), align: 'right' },
      { header: 'MACs on accel. %', value: (c) => (c.acceleratorMacShare * 100).toFixed(1), align: 'right' },
      { header: 'runs on the host', value: (c) => c.fallback.join(', ') || '–' },
    ]),
    ...(found === undefined ? [] : ['', disagreementText(found)]),
  ].join('\n');
  ctx.reporter.onResult?.(`${text}\n`);
  return {
    opset: defaultOpset(model),
    ops: Object.fromEntries(ops),
    parameters,
    macs: macs.totalMacs,
    coverage,
    ...(found !== undefined ? { disagreement: found } : {}),
  };
}
