import { countMacs, coverageFor, defaultBackendRegistry, type BackendProfile } from '@quant-trim/backend-eval';
import { defaultOpset, readOnnx } from '@quant-trim/onnx-export';
import { formatTable } from '../../output/formatTable.js';
import { readInputFile, type CommandContext } from '../context.js';

export interface InspectFlags {
  readonly profiles?: string | readonly string[];
}

const list = (v: string | readonly string[] | undefined): string[] | undefined => (v === undefined ? undefined : (Array.isArray(v) ? v : String(v).split(',')).map((s) => s.trim()).filter(Boolean));
const shape = (s: readonly (number | string | null)[] | undefined) => (s === undefined ? '?' : `[${s.map((d) => d ?? '?').join(', ')}]`);

/**
 * `quant-trim inspect <model.onnx>`: the graph's ops, inputs and outputs, parameters and MACs, and
 * per backend profile what runs on the accelerator, quantized, and what falls back (and why).
 */
export function inspect(modelPath: string, flags: InspectFlags, ctx: CommandContext) {
  const model = readOnnx(readInputFile(ctx.cwd, modelPath, 'the ONNX model'));
  const { graph } = model;
  const ops = new Map<string, number>();
  for (const n of graph.nodes) ops.set(n.domain ? `${n.domain}:${n.opType}` : n.opType, (ops.get(n.opType) ?? 0) + 1);
  const parameters = [...graph.initializers.values()].filter((t) => t.dataType === 1).reduce((a, t) => a + t.data.length, 0);
  const macs = countMacs(model);
  const ids = list(flags.profiles) ?? defaultBackendRegistry.ids();
  const profiles = ids.map((id) => defaultBackendRegistry.get(id as never) as BackendProfile);
  const macByNode = new Map(macs.nodes.map((n) => [n.node, n.macs]));
  const coverage = profiles.map((p) => {
    const nodes = coverageFor(model, p);
    const quantizedMacs = nodes.reduce((a, n) => a + (n.integer ? (macByNode.get(n.node) ?? 0) : 0), 0);
    const fallback = nodes.filter((n) => !n.onAccelerator);
    return { profile: p.id, onAccelerator: nodes.length - fallback.length, integer: nodes.filter((n) => n.integer).length, total: nodes.length, macShare: macs.totalMacs > 0 ? quantizedMacs / macs.totalMacs : 0, fallback: [...new Set(fallback.map((n) => n.opType))] };
  });
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
      { header: 'falls back', value: (c) => c.fallback.join(', ') || '–' },
    ]),
  ].join('\n');
  ctx.reporter.onResult?.(`${text}\n`);
  return { opset: defaultOpset(model), ops: Object.fromEntries(ops), parameters, macs: macs.totalMacs, coverage };
}
