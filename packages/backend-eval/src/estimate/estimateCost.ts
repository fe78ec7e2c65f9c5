import { QuantTrimError } from '@quant-trim/internal';
import type { CostEstimate, MacBreakdown, SourcedValue } from '../evaluate/reportTypes.js';
import type { DeviceSpec, MacPrecision } from '../profiles/types.js';
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
  source: 'U.S. EIA, Electric Power Annual (data for 2023), average price of electricity to ultimate customers, industrial sector, 8.06 ¢/kWh, https://www.eia.gov/electricity/annual/ (value checked via a statistics portal citing EIA)',
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
  source: 'assumption; cf. AMD Kria KV260 DPU B3136 DenseBox 0.25 of 0.92 peak TOPS, https://xilinx.github.io/kria-apps-docs/kv260/2022.1/build/html/docs/smartcamera/docs/hw_arch_accel.html',
});

/** Throughput defaults, as a fraction of the INT8 `tops`, for precisions a device gives no figure for. */
const DEFAULT_RATE: Readonly<Record<Exclude<MacPrecision, 'int8'>, { readonly factor: number; readonly why: string }>> = {
  int4: { factor: 1, why: 'assumption: 4-bit weights are unpacked to 8-bit MACs (weight compression, no extra MAC rate)' },
  int16: { factor: 1 / 2, why: 'assumption: a 16×8 MAC takes two 8-bit passes' },
  float16: { factor: 1 / 4, why: 'assumption: ¼ of the int8 rate (Ampere tensor cores run FP16 at ½; NPUs without float fall back to a much slower host, so this is optimistic there)' },
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
  /** Needs `tops`; `memoryGBps`, `priceUsd`, `utilization` and `precisionTops` are used when given. */
  device: DeviceSpec;
  /** Overrides of the electricity price (default `ELECTRICITY_USD_PER_KWH`). */
  electricity?: SourcedValue;
  /** Overrides of the amortization period (default `DEVICE_LIFETIME_SECONDS`). */
  lifetime?: SourcedValue;
}

/**
 * Estimated (not measured) energy, latency and cost of one inference on `device`:
 *
 * - energy [pJ] = Σ_p MACs_p × (E_mult,p + E_add,p) + bytesMoved × E_DRAM/byte, with the 45 nm
 *   figures of `energyTable.ts` (Horowitz, ISSCC 2014). Device power is not used: the figure is the
 *   arithmetic + DRAM energy only, without static power, control or on-chip SRAM traffic.
 * - bytesMoved = weightBytes + activationBytes.
 * - latency = max(compute, memory); compute = Σ_p 2·MACs_p / (TOPS_p·10¹² · utilization), the
 *   precisions running one after another; memory = bytesMoved / (memoryGBps·10⁹), 0 when the
 *   device gives no bandwidth (weights and activations on chip). TOPS_p is
 *   `device.precisionTops[p]` when given, else `tops` × a documented default factor (int4 ×1,
 *   int16 ×½, float16 ×¼, float32 ×⅛): precisions an accelerator cannot run (float on an NPU) are
 *   expected in `precisionTops` at the host CPU's rate, where the profile's fallback runs them.
 * - costUsdPerMillion = 10⁶ × (energy [J] / 3.6·10⁶ J/kWh × USD/kWh
 *   + priceUsd × latency [s] / lifetime [s]): the device is busy back to back for its lifetime,
 *   so each inference carries latency/lifetime of its price. No price → that term is 0.
 *
 * `assumptions` lists every constant used (energy per op for the precisions with MACs, DRAM energy,
 * device throughput per used precision, utilization, bandwidth, price, electricity, lifetime).
 *
 * @throws QuantTrimError `QT_INVALID_ARGUMENT` when `device.tops` is missing, a byte count or a
 *   node's MACs is negative or not finite, or `precisionOf` returns an unknown precision.
 * @example
 * const count = countMacs(model);
 * const est = estimateCost({ macs: count.nodes, precisionOf: () => 'int8', weightBytes: 3.5e6, activationBytes: 6e6,
 *   device: builtinProfiles['edgetpu-strict'].device! });
 */
export function estimateCost(input: EstimateCostInput): CostEstimate {
  const { device } = input;
  const tops = requireTops(device);
  const bytesMoved = nonNegative(input.weightBytes, 'weightBytes') + nonNegative(input.activationBytes, 'activationBytes');
  const macs = macBreakdown(input.macs, input.precisionOf);
  const used = PRECISIONS.filter((p) => macs[p] > 0);
  const assumptions: Record<string, SourcedValue> = {};

  let energyPj = bytesMoved * DRAM_PJ_PER_BYTE.value;
  assumptions['energy.dramPerByte'] = DRAM_PJ_PER_BYTE;
  for (const p of used) {
    energyPj += macs[p] * macEnergyPj(p);
    assumptions[`energy.${p}.mult`] = MAC_ENERGY_PJ[p].mult;
    assumptions[`energy.${p}.add`] = MAC_ENERGY_PJ[p].add;
  }

  const utilization = deviceFigure(device, 'utilization', 'fraction of peak') ?? DEFAULT_UTILIZATION;
  assumptions['device.utilization'] = utilization;
  let computeSeconds = 0;
  for (const p of used) {
    const rate = throughput(device, tops, p);
    assumptions[`device.tops.${p}`] = rate;
    computeSeconds += (2 * macs[p]) / (rate.value * 1e12 * utilization.value);
  }
  const bandwidth = deviceFigure(device, 'memoryGBps', 'GB/s');
  if (bandwidth) assumptions['device.memoryGBps'] = bandwidth;
  const memorySeconds = bandwidth ? bytesMoved / (bandwidth.value * 1e9) : 0;
  const latencySeconds = Math.max(computeSeconds, memorySeconds);

  const electricity = input.electricity ?? ELECTRICITY_USD_PER_KWH;
  const lifetime = input.lifetime ?? DEVICE_LIFETIME_SECONDS;
  const price = deviceFigure(device, 'priceUsd', 'USD');
  assumptions['electricity.usdPerKwh'] = electricity;
  if (price) {
    assumptions['device.priceUsd'] = price;
    assumptions['device.lifetime'] = lifetime;
  }
  const energyJoules = energyPj * 1e-12;
  const perInferenceUsd = (energyJoules / 3.6e6) * electricity.value + (price ? (price.value * latencySeconds) / lifetime.value : 0);

  return {
    device: device.name,
    macs,
    bytesMoved,
    energyMicrojoules: energyPj * 1e-6,
    latencyMs: latencySeconds * 1e3,
    costUsdPerMillion: perInferenceUsd * 1e6,
    assumptions,
  };
}

function invalid(field: string, message: string): never {
  throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `${field}: ${message}`, details: { field } });
}

function nonNegative(value: number, field: string): number {
  if (!Number.isFinite(value) || value < 0) invalid(field, `expected a finite number ≥ 0, got ${value}`);
  return value;
}

function requireTops(device: DeviceSpec): number {
  const tops = device.tops;
  if (tops === undefined || !Number.isFinite(tops) || tops <= 0) invalid('device.tops', `the estimate needs the device's peak INT8 TOPS (${device.name})`);
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

/** A device figure with its per-figure source (else the device's main source). */
function deviceFigure(device: DeviceSpec, key: 'utilization' | 'memoryGBps' | 'priceUsd', unit: string): SourcedValue | undefined {
  const value = device[key];
  if (value === undefined) return undefined;
  return { value, unit, source: device.sources?.[key] ?? device.source ?? `${device.name} (no source given)` };
}

function throughput(device: DeviceSpec, tops: number, p: MacPrecision): SourcedValue {
  const mainSource = device.source ?? `${device.name} (no source given)`;
  if (p === 'int8') return { value: tops, unit: 'TOPS', source: device.sources?.tops ?? mainSource };
  const given = device.precisionTops?.[p];
  if (given !== undefined) return { value: given, unit: 'TOPS', source: device.sources?.precisionTops ?? mainSource };
  const rule = DEFAULT_RATE[p];
  return { value: tops * rule.factor, unit: 'TOPS', source: `${rule.why}; int8 TOPS from ${device.sources?.tops ?? mainSource}` };
}
