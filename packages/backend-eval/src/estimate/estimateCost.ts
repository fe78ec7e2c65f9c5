import { QuantTrimError } from '@quant-trim/errors';
import type { CostEstimate, MacBreakdown, SourcedValue } from './types.js';
import type { DeviceSpec, MacPrecision, Placement } from '../profiles/types.js';
import type { NodeMacs } from './countMacs.js';
import { DRAM_PJ_PER_BYTE, MAC_ENERGY_PJ, macEnergyPj } from './energyTable.js';

const PRECISIONS: readonly MacPrecision[] = ['int4', 'int8', 'int16', 'float16', 'float32'];

/**
 * Average US retail price of electricity to industrial customers in 2023 (EIA Electric Power
 * Annual): 8.06 ¢/kWh. The commercial rate (about 12–13 ¢/kWh) would raise the electricity term by
 * about 1.6×; it is negligible beside the device term for every built-in device.
 */
export const ELECTRICITY_USD_PER_KWH: SourcedValue = Object.freeze({
  value: 0.0806,
  unit: 'USD/kWh',
  source:
    'U.S. EIA, Electric Power Annual (data for 2023), average price of electricity to ultimate customers, industrial sector, 8.06 ¢/kWh, https://www.eia.gov/electricity/annual/ (value checked via a statistics portal citing EIA)',
});

/** Device life the price is amortized over: 3 years of continuous use. */
export const DEVICE_LIFETIME_SECONDS: SourcedValue = Object.freeze({
  value: 3 * 365 * 24 * 3600,
  unit: 's',
  source: 'assumption: 3 years (365-day years) of back-to-back batch-1 inferences at the estimated latency',
});

/**
 * Share of peak throughput sustained when the device gives none: 0.3. The one published data point
 * among the built-in devices, AMD's DPU B3136 on DenseBox (0.25 of 0.92 peak TOPS ≈ 0.27), is close.
 */
export const DEFAULT_UTILIZATION: SourcedValue = Object.freeze({
  value: 0.3,
  unit: 'fraction of peak',
  source:
    'assumption; cf. AMD Kria KV260 DPU B3136 DenseBox 0.25 of 0.92 peak TOPS, https://xilinx.github.io/kria-apps-docs/kv260/2022.1/build/html/docs/smartcamera/docs/hw_arch_accel.html',
});

/** Throughput defaults, as a fraction of the INT8 `tops`, for precisions a device gives no figure for. */
const DEFAULT_RATE: Readonly<Record<Exclude<MacPrecision, 'int8'>, { readonly factor: number; readonly why: string }>> = {
  int4: { factor: 1, why: 'assumption: 4-bit weights are unpacked to 8-bit MACs (weight compression, no extra MAC rate)' },
  int16: { factor: 1 / 2, why: 'assumption: a 16×8 MAC takes two 8-bit passes' },
  float16: {
    factor: 1 / 4,
    why: 'assumption: ¼ of the int8 rate (Ampere tensor cores run FP16 at ½; NPUs without float fall back to a much slower host, so this is optimistic there)',
  },
  float32: { factor: 1 / 8, why: 'assumption: ½ of the float16 default' },
};

export interface EstimateCostInput {
  /** Per-node MACs of one sample (`countMacs(...).nodes`). */
  macs: readonly NodeMacs[];
  /** The precision each node's MACs run at on this profile (float for nodes that fall back). */
  precisionOf: (node: NodeMacs) => MacPrecision;
  /** Bytes of weights read once per inference (at their deployed widths). */
  weightBytes: number;
  /** Bytes of activations written and read once per inference. */
  activationBytes: number;
  /** Needs `tops`; `memoryGBps`, `priceUsd`, `utilization`, `precisionTops`, `host`, `linkGBps` and `overheadMs` are used when given. */
  device: DeviceSpec;
  /**
   * Where the nodes run (`placeNodes`). Without it every node runs on the accelerator, in one
   * invocation, with nothing crossing the link.
   */
  placement?: EstimatePlacement;
  /** Overrides of the electricity price (default `ELECTRICITY_USD_PER_KWH`). */
  electricity?: SourcedValue;
  /** Overrides of the amortization period (default `DEVICE_LIFETIME_SECONDS`). */
  lifetime?: SourcedValue;
}

/** The placement side of an estimate: which nodes fall back off the accelerator, and the traffic that causes. */
export interface EstimatePlacement {
  /** Where a node runs; nodes it does not name run on the accelerator. */
  placementOf: (node: NodeMacs) => Placement;
  /** Of `weightBytes + activationBytes`, the bytes the host-placed nodes read and write (in host memory). */
  hostBytes: number;
  /** Bytes crossing between host memory and the accelerator per inference (`placeNodes`). */
  transferBytes: number;
  /** Accelerator invocations per inference (`placeNodes`). */
  invocations: number;
}

/**
 * Estimated (not measured) energy, latency and cost of one inference on `device`, with each node
 * priced where it runs:
 *
 * - energy [pJ] = Σ_p MACs_p × (E_mult,p + E_add,p) + (bytesMoved + transferBytes) × E_DRAM/byte,
 *   with the 45 nm figures of `energyTable.ts` (Horowitz, ISSCC 2014). Device power is not used:
 *   the figure is the arithmetic + DRAM energy only, without static power, control or on-chip
 *   SRAM traffic. bytesMoved = weightBytes + activationBytes.
 * - latency = accelerator + host + link + overhead, in sequence:
 *   - accelerator = max(compute, memory) of the accelerator-placed nodes: compute =
 *     Σ_p 2·MACs_p / (TOPS_p·10¹² · utilization); memory = their bytes / (memoryGBps·10⁹), 0 when the
 *     device gives no bandwidth (weights and activations on chip). TOPS_p is
 *     `device.precisionTops[p]` when given, else `tops` × a documented default factor (int4 ×1,
 *     int16 ×½, float16 ×¼, float32 ×⅛);
 *   - host = the same for the host-placed nodes at `device.host`'s figures; a device without a
 *     `host` runs its fallback nodes itself (at its own figures, as one processor: the compute
 *     and memory of all nodes then overlap as for the accelerator alone);
 *   - link = transferBytes / (linkGBps·10⁹), 0 when the device shares memory with its host;
 *   - overhead = overheadMs × invocations (a device without a host: one invocation).
 * - costUsdPerMillion = 10⁶ × (energy [J] / 3.6·10⁶ J/kWh × USD/kWh
 *   + priceUsd × latency [s] / lifetime [s]): the device is busy back to back for its lifetime,
 *   so each inference carries latency/lifetime of its price. No price → that term is 0.
 *
 * `assumptions` lists every constant used (energy per op for the precisions with MACs, DRAM energy,
 * throughput per used precision on each processor, utilization, bandwidths, overhead, price,
 * electricity, lifetime); `placement` splits the MACs and the latency between accelerator, host,
 * link and invocation overhead.
 *
 * @throws QuantTrimError `QT_INVALID_ARGUMENT` when `device.tops` (or, with host-placed integer
 *   MACs, `device.host.tops`) is missing, a byte count or a node's MACs is negative or not finite,
 *   or `precisionOf` returns an unknown precision.
 * @example
 * const count = countMacs(model);
 * const est = estimateCost({ macs: count.nodes, precisionOf: () => 'int8', weightBytes: 3.5e6, activationBytes: 6e6,
 *   device: builtinProfiles['edgetpu-strict'].device! });
 */
export function estimateCost(input: EstimateCostInput): CostEstimate {
  const { device } = input;
  requireTops(device.tops, 'device.tops', device.name);
  const bytesMoved = nonNegative(input.weightBytes, 'weightBytes') + nonNegative(input.activationBytes, 'activationBytes');
  const placed = input.placement;
  const transferBytes = nonNegative(placed?.transferBytes ?? 0, 'placement.transferBytes');
  const hostBytes = Math.min(bytesMoved, nonNegative(placed?.hostBytes ?? 0, 'placement.hostBytes'));
  const onHost = (n: NodeMacs) => placed?.placementOf(n) === 'host';
  const macs = macBreakdown(input.macs, input.precisionOf);
  const hostMacs = macBreakdown(input.macs.filter(onHost), input.precisionOf);
  const acceleratorMacs = macBreakdown(
    input.macs.filter((n) => !onHost(n)),
    input.precisionOf,
  );
  const assumptions: Record<string, SourcedValue> = {};

  let energyPj = (bytesMoved + transferBytes) * DRAM_PJ_PER_BYTE.value;
  assumptions['energy.dramPerByte'] = DRAM_PJ_PER_BYTE;
  for (const p of PRECISIONS.filter((q) => macs[q] > 0)) {
    energyPj += macs[p] * macEnergyPj(p);
    assumptions[`energy.${p}.mult`] = MAC_ENERGY_PJ[p].mult;
    assumptions[`energy.${p}.add`] = MAC_ENERGY_PJ[p].add;
  }

  const { host } = device;
  let acceleratorMs: number;
  let hostMs = 0;
  if (host === undefined) {
    acceleratorMs = processorSeconds(device, 'device', macs, bytesMoved, assumptions) * 1e3;
  } else {
    acceleratorMs = processorSeconds(device, 'device', acceleratorMacs, bytesMoved - hostBytes, assumptions) * 1e3;
    hostMs = processorSeconds(host, 'host', hostMacs, hostBytes, assumptions) * 1e3;
  }
  const link = deviceFigure(device, 'linkGBps', 'GB/s');
  if (link && transferBytes > 0) assumptions['device.linkGBps'] = link;
  const transferMs = link ? (transferBytes / (link.value * 1e9)) * 1e3 : 0;
  const invocations = host === undefined ? 1 : (placed?.invocations ?? 1);
  const overhead = deviceFigure(device, 'overheadMs', 'ms');
  if (overhead && invocations > 0) assumptions['device.overheadMs'] = overhead;
  const overheadMs = (overhead?.value ?? 0) * invocations;
  const latencyMs = acceleratorMs + hostMs + transferMs + overheadMs;

  const electricity = input.electricity ?? ELECTRICITY_USD_PER_KWH;
  const lifetime = input.lifetime ?? DEVICE_LIFETIME_SECONDS;
  const price = deviceFigure(device, 'priceUsd', 'USD');
  assumptions['electricity.usdPerKwh'] = electricity;
  if (price) {
    assumptions['device.priceUsd'] = price;
    assumptions['device.lifetime'] = lifetime;
  }
  const energyJoules = energyPj * 1e-12;
  const perInferenceUsd = (energyJoules / 3.6e6) * electricity.value + (price ? (price.value * latencyMs * 1e-3) / lifetime.value : 0);
  const total = (m: MacBreakdown) => PRECISIONS.reduce((a, p) => a + m[p], 0);

  return {
    device: device.name,
    macs,
    bytesMoved,
    energyMicrojoules: energyPj * 1e-6,
    latencyMs,
    costUsdPerMillion: perInferenceUsd * 1e6,
    placement: {
      ...(host !== undefined ? { host: host.name } : {}),
      acceleratorMacs: total(acceleratorMacs),
      fallbackMacs: total(hostMacs),
      invocations,
      transferBytes,
      acceleratorMs,
      hostMs,
      transferMs,
      overheadMs,
    },
    assumptions,
  };
}

/** A processor's figures for `processorSeconds`: the device itself or its host. */
type Processor = Pick<DeviceSpec, 'name' | 'tops' | 'precisionTops' | 'memoryGBps' | 'utilization' | 'source'> & {
  sources?: Readonly<Partial<Record<string, string>>>;
};

/**
 * max(compute, memory) seconds of `macs` and `bytes` on one processor; records its figures in
 * `assumptions` under `device.*` or `host.*`.
 */
function processorSeconds(proc: Processor, key: 'device' | 'host', macs: MacBreakdown, bytes: number, assumptions: Record<string, SourcedValue>): number {
  const used = PRECISIONS.filter((p) => macs[p] > 0);
  if (used.length === 0 && bytes === 0) return 0;
  const utilization = deviceFigure(proc, 'utilization', 'fraction of peak') ?? DEFAULT_UTILIZATION;
  assumptions[`${key}.utilization`] = utilization;
  let computeSeconds = 0;
  for (const p of used) {
    const rate = throughput(proc, key, p);
    assumptions[`${key}.tops.${p}`] = rate;
    computeSeconds += (2 * macs[p]) / (rate.value * 1e12 * utilization.value);
  }
  const bandwidth = deviceFigure(proc, 'memoryGBps', 'GB/s');
  if (bandwidth) assumptions[`${key}.memoryGBps`] = bandwidth;
  const memorySeconds = bandwidth ? bytes / (bandwidth.value * 1e9) : 0;
  return Math.max(computeSeconds, memorySeconds);
}

function invalid(field: string, message: string): never {
  throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `${field}: ${message}`, details: { field } });
}

function nonNegative(value: number, field: string): number {
  if (!Number.isFinite(value) || value < 0) invalid(field, `expected a finite number ≥ 0, got ${value}`);
  return value;
}

function requireTops(tops: number | undefined, field: string, name: string): number {
  if (tops === undefined || !Number.isFinite(tops) || tops <= 0) invalid(field, `the estimate needs the peak INT8 TOPS of ${name}`);
  return tops;
}

function macBreakdown(nodes: readonly NodeMacs[], precisionOf: (node: NodeMacs) => MacPrecision): MacBreakdown {
  const sums: Record<MacPrecision, number> = { int4: 0, int8: 0, int16: 0, float16: 0, float32: 0 };
  for (const node of nodes) {
    nonNegative(node.macs, `macs of ${node.node}`);
    if (node.macs === 0) continue;
    const p = precisionOf(node);
    if (!PRECISIONS.includes(p)) invalid(`precisionOf(${node.node})`, `expected ${PRECISIONS.join(' | ')}, got ${String(p)}`);
    sums[p] += node.macs;
  }
  return sums;
}

type Figured = { readonly name: string; readonly source?: string; readonly sources?: Readonly<Partial<Record<string, string>>> } & Partial<
  Record<'utilization' | 'memoryGBps' | 'priceUsd' | 'linkGBps' | 'overheadMs', number>
>;

/** A device (or host) figure with its per-figure source (else the main source). */
function deviceFigure(device: Figured, key: 'utilization' | 'memoryGBps' | 'priceUsd' | 'linkGBps' | 'overheadMs', unit: string): SourcedValue | undefined {
  const value = device[key];
  if (value === undefined) return undefined;
  return { value, unit, source: device.sources?.[key] ?? device.source ?? `${device.name} (no source given)` };
}

/** A processor's throughput at `p`: its own figure, else `tops` × the documented default factor (needs `tops`). */
function throughput(proc: Processor, key: 'device' | 'host', p: MacPrecision): SourcedValue {
  const mainSource = proc.source ?? `${proc.name} (no source given)`;
  const given = p === 'int8' ? undefined : proc.precisionTops?.[p];
  if (given !== undefined) return { value: given, unit: 'TOPS', source: proc.sources?.['precisionTops'] ?? mainSource };
  const tops = requireTops(proc.tops, `${key}.tops`, proc.name);
  if (p === 'int8') return { value: tops, unit: 'TOPS', source: proc.sources?.['tops'] ?? mainSource };
  const rule = DEFAULT_RATE[p];
  return { value: tops * rule.factor, unit: 'TOPS', source: `${rule.why}; int8 TOPS from ${proc.sources?.['tops'] ?? mainSource}` };
}
