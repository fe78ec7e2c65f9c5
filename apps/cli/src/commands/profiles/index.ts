import { defaultBackendRegistry, type BackendProfile, type TensorGrid } from '@quant-trim/backend-eval';
import { formatTable } from '../../output/formatTable.js';
import type { CommandContext } from '../context.js';

function grid(g: TensorGrid | { kind: string } | null): string {
  if (g === null) return 'float';
  if (!('bits' in g)) return g.kind;
  const sym = g.symmetric === 'unsignedIfNonNeg' ? 'sym (u if ≥ 0)' : g.symmetric ? 'sym' : 'asym';
  const gran = typeof g.granularity === 'string' ? g.granularity : g.granularity.kind === 'per-group' ? `per-group ${g.granularity.size}` : 'per-channel';
  const range = typeof g.range === 'string' ? (g.range === 'full' ? '' : ` ${g.range}`) : ` [${g.range.join(', ')}]`;
  return `${g.signed ? 's' : 'u'}${g.bits} ${sym} ${gran}${range}${g.scale === 'pow2' ? ' pow2' : ''}`;
}

/** A profile's every knob as `field: value` lines, with its device and sources. */
export function describeProfile(p: BackendProfile): string {
  const lines = [
    `${p.id} — ${p.name} (${p.vendor})`,
    p.description,
    '',
    `weights        ${grid(p.weights)}${p.weights ? `, rounding ${p.weights.rounding}` : ''}`,
    `activations    ${grid(p.activations)}${'bits' in p.activations ? `, rounding ${p.activations.rounding}, ${p.activationMode}` : ''}`,
    `bias           ${p.bias === null ? 'float' : `${p.bias.bits}-bit, scale ${p.bias.scale}, rounding ${p.bias.rounding}`}`,
    `requant        ${p.requant}`,
    `calibration    ${p.calibration.method}${p.calibration.options ? ` ${JSON.stringify(p.calibration.options)}` : ''}, ${p.calibration.samples} samples`,
    `ops            ${p.ops.supported.join(', ')}`,
    `fallback       ${p.fallback.policy} → ${p.fallback.target}`,
  ];
  if (p.fusedActivations?.length) lines.push(`fused          ${p.fusedActivations.join(', ')}`);
  if (p.sharedScale?.length) lines.push(`shared scale   ${p.sharedScale.join(', ')}`);
  if (p.fixedOutput)
    lines.push(
      `fixed output   ${Object.entries(p.fixedOutput)
        .map(([op, q]) => `${op} (${q.scale}, ${q.zeroPoint})`)
        .join(', ')}`,
    );
  if (p.minRange !== undefined) lines.push(`min range      ${p.minRange}`);
  if (p.mixedPrecision) lines.push(`mixed weights  ${p.mixedPrecision.weightBits.join('/')}-bit: ${p.mixedPrecision.rule}`);
  if (p.preQuant?.length || p.postQuant?.length) lines.push(`transforms     ${[...(p.preQuant ?? []), ...(p.postQuant ?? [])].join(', ')}`);
  if (p.device)
    lines.push(
      `device         ${p.device.name}${p.device.tops !== undefined ? `, ${p.device.tops} TOPS` : ''}${p.device.watts !== undefined ? `, ${p.device.watts} W` : ''}${p.device.priceUsd !== undefined ? `, $${p.device.priceUsd}` : ''}`,
    );
  const uncertain = Object.entries(p.evidence);
  if (uncertain.length) lines.push(`evidence       ${uncertain.map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  lines.push('', 'sources', ...p.sources.map((s) => `  [${s.id}] ${s.url}`));
  return lines.join('\n');
}

/** `quant-trim profiles [id]`: every registered backend profile as a table, or one profile in full. */
export function profiles(id: string | undefined, ctx: CommandContext): BackendProfile[] {
  if (id !== undefined) {
    const p = defaultBackendRegistry.get(id);
    ctx.reporter.onResult?.(`${describeProfile(p)}\n`);
    return [p];
  }
  const all = defaultBackendRegistry.values();
  ctx.reporter.onResult?.(
    `${formatTable(all, [
      { header: 'id', value: (p) => p.id },
      { header: 'vendor', value: (p) => p.vendor },
      { header: 'weights', value: (p) => grid(p.weights) },
      { header: 'activations', value: (p) => grid(p.activations) + (p.activationMode === 'dynamic' ? ' dynamic' : '') },
      { header: 'calibration', value: (p) => p.calibration.method },
      { header: 'fallback', value: (p) => `${p.fallback.policy} → ${p.fallback.target}` },
    ])}\n\n${all.length} profiles; \`quant-trim profiles <id>\` describes one.\n`,
  );
  return all;
}
