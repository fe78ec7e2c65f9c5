import { QuantTrimError } from '@quant-trim/errors';
import { checkFloat32 } from '../math/checks.js';
import { type GroupLayout, checkShape, groupLayout } from '../math/layout.js';
import type { Granularity, QuantScheme } from '../scheme.js';

/**
 * Splits a batch into the calibrator's parameter groups and checks that the number of groups and
 * the parameter shape stay the same from batch to batch (per-channel statistics of a batch with a
 * different channel count cannot be merged).
 */
export class GroupTracker {
  #paramShape: readonly number[] | undefined;

  constructor(
    readonly calibrator: string,
    readonly granularity: Granularity,
  ) {}

  get paramShape(): readonly number[] | undefined {
    return this.#paramShape;
  }

  set paramShape(shape: readonly number[] | undefined) {
    this.#paramShape = shape === undefined ? undefined : [...shape];
  }

  /** Validates the batch and returns its layout. */
  layout(x: Float32Array, shape: readonly number[] | undefined): GroupLayout {
    checkFloat32(`${this.calibrator}.observe`, 'x', x);
    const s = shape ?? [x.length];
    checkShape(`${this.calibrator}.observe`, 'x', x.length, s);
    const layout = groupLayout(s, this.granularity);
    if (this.#paramShape === undefined) {
      this.#paramShape = layout.paramShape;
    } else if (this.#paramShape.length !== layout.paramShape.length || this.#paramShape.some((d, i) => d !== layout.paramShape[i])) {
      throw new QuantTrimError({
        code: 'QT_SHAPE_MISMATCH',
        message: `argument \`shape\` of \`${this.calibrator}.observe\`: this batch has parameter shape [${layout.paramShape.join(', ')}] but earlier batches had [${this.#paramShape.join(', ')}]`,
      });
    }
    return layout;
  }

  /** Throws unless `scheme` uses the granularity these statistics were gathered with. */
  checkScheme(scheme: QuantScheme): readonly number[] {
    const a = this.granularity;
    const b = scheme.granularity;
    const same =
      a.kind === b.kind &&
      (a.kind === 'per-tensor' || (a.axis === (b as typeof a).axis && (a.kind !== 'per-group' || a.groupSize === (b as typeof a).groupSize)));
    if (!same) {
      throw new QuantTrimError({
        code: 'QT_INVALID_GRANULARITY',
        message: `argument \`scheme\` of \`${this.calibrator}.compute\`: statistics were gathered ${JSON.stringify(a)} but the scheme is ${JSON.stringify(b)}`,
      });
    }
    if (this.#paramShape === undefined) {
      throw new QuantTrimError({ code: 'QT_CALIBRATOR_EMPTY', message: `${this.calibrator}.compute: no batch has been observed yet` });
    }
    return this.#paramShape;
  }
}

/** JSON cannot hold ±Infinity; unobserved bounds are stored as null. */
export function finiteOrNull(values: ArrayLike<number>): (number | null)[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? v : null));
}

export function fromNullable(values: readonly (number | null)[], fill: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] ?? fill;
  return out;
}
