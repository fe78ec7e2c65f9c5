import type { SourcedValue } from './types.js';
import type { MacPrecision } from '../profiles/types.js';

/** M. Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014, 45 nm, 0.9 V. */
export const HOROWITZ_2014 =
  'M. Horowitz, "Computing\'s energy problem (and what we can do about it)", ISSCC 2014, 45 nm at 0.9 V, https://doi.org/10.1109/ISSCC.2014.6757323';

const cite = (value: number, unit: string, note: string): SourcedValue => Object.freeze({ value, unit, source: `${HOROWITZ_2014}; ${note}` });

/** Energy of one multiply and one add at a MAC precision. */
export interface MacEnergy {
  readonly mult: SourcedValue;
  readonly add: SourcedValue;
}

/**
 * Energy per operation by MAC precision, in picojoules (45 nm). int8, float16 and float32 are
 * Horowitz's figures (the 8-bit and 16-bit ones widely quoted from the talk, the 32-bit ones also
 * re-tabulated with the same values by Frontiers in Neurology 2022, PMC8934428). int4 and int16
 * are derived, not published: the builtin profiles that use them pair them with 8-bit operands
 * (Hailo 4-bit weights × 8-bit activations; TFLite 16x8 / QNN w8a16: 16-bit activations × 8-bit
 * weights), and an array multiplier's energy grows with the product of its operand widths
 * (Horowitz's 8→32-bit integer multiply: 0.2 → 3.1 pJ ≈ ×16 for ×4 width on both operands), an
 * adder's linearly with its width.
 */
export const MAC_ENERGY_PJ: Readonly<Record<MacPrecision, MacEnergy>> = Object.freeze({
  int4: Object.freeze({
    mult: cite(0.1, 'pJ', 'derived: 4-bit × 8-bit multiply = 8-bit multiply 0.2 pJ × (4·8)/(8·8) (array-multiplier energy ∝ product of operand widths)'),
    add: cite(0.03, 'pJ', 'derived: accumulation as for int8 (8-bit add 0.03 pJ)'),
  }),
  int8: Object.freeze({
    mult: cite(0.2, 'pJ', '8-bit integer multiply'),
    add: cite(0.03, 'pJ', '8-bit integer add'),
  }),
  int16: Object.freeze({
    mult: cite(0.4, 'pJ', 'derived: 16-bit × 8-bit multiply = 8-bit multiply 0.2 pJ × (16·8)/(8·8) (array-multiplier energy ∝ product of operand widths)'),
    add: cite(0.06, 'pJ', 'derived: 16-bit add = 8-bit add 0.03 pJ × 16/8 (adder energy ∝ width)'),
  }),
  float16: Object.freeze({
    mult: cite(1.1, 'pJ', '16-bit float multiply'),
    add: cite(0.4, 'pJ', '16-bit float add'),
  }),
  float32: Object.freeze({
    mult: cite(3.7, 'pJ', '32-bit float multiply'),
    add: cite(0.9, 'pJ', '32-bit float add'),
  }),
});

/** 32-bit integer operations of the same table (reference; int8 MACs here accumulate at the int8 add energy). */
export const INT32_ENERGY_PJ: MacEnergy = Object.freeze({
  mult: cite(3.1, 'pJ', '32-bit integer multiply'),
  add: cite(0.1, 'pJ', '32-bit integer add'),
});

/** On-chip SRAM read (reference only; the cost model charges off-chip traffic at the DRAM figure). */
export const SRAM_8KB_READ_64BIT_PJ: SourcedValue = cite(10, 'pJ', '8 KB cache, 64-bit read (about 5 pJ per 32-bit word)');

/**
 * Off-chip DRAM energy per byte: Horowitz gives 1.3–2.6 nJ per 64-bit DRAM access; the low end,
 * 1.3 nJ / 8 bytes = 162.5 pJ per byte, is used (it matches the widely quoted 640 pJ per 32-bit
 * DRAM read, 160 pJ per byte). The high end would double every memory term.
 */
export const DRAM_PJ_PER_BYTE: SourcedValue = cite(
  1300 / 8,
  'pJ/byte',
  'DRAM 1.3–2.6 nJ per 64-bit access; low end 1.3 nJ / 8 bytes used (uncertain by up to ×2)',
);

/** Multiply + add energy of one MAC at `precision`, in picojoules. */
export function macEnergyPj(precision: MacPrecision): number {
  const e = MAC_ENERGY_PJ[precision];
  return e.mult.value + e.add.value;
}
