import { QuantTrimError } from '@quant-trim/errors';
import type { QuantScheme } from '../scheme.js';
import type { QParams } from './computeQParams.js';
import { type GroupLayout, checkShape, groupLayout } from './layout.js';

/**
 * Validates `qparams` against the data shape and scheme and returns the group layout.
 * Every scale must be finite and > 0 and every zero point inside [qmin, qmax].
 */
export function layoutFor(fn: string, length: number, shape: readonly number[], qparams: QParams, scheme: QuantScheme): GroupLayout {
  checkShape(fn, 'x', length, shape);
  if (typeof scheme !== 'object' || scheme === null || typeof scheme.qmin !== 'number') {
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `argument \`scheme\` of \`${fn}\`: expected a scheme from createScheme()` });
  }
  if (!(qparams?.scale instanceof Float32Array) || !(qparams.zeroPoint instanceof Int32Array)) {
    throw new QuantTrimError({
      code: 'QT_INVALID_QPARAMS',
      message: `argument \`qparams\` of \`${fn}\`: expected { scale: Float32Array, zeroPoint: Int32Array }`,
    });
  }
  const layout = groupLayout(shape, scheme.granularity);
  if (qparams.scale.length !== layout.count || qparams.zeroPoint.length !== layout.count) {
    throw new QuantTrimError({
      code: 'QT_INVALID_QPARAMS',
      message: `argument \`qparams\` of \`${fn}\`: ${scheme.granularity.kind} over shape [${shape.join(', ')}] needs ${layout.count} scale/zero-point pairs, got ${qparams.scale.length}/${qparams.zeroPoint.length}`,
    });
  }
  for (let p = 0; p < layout.count; p++) {
    const s = qparams.scale[p]!;
    const z = qparams.zeroPoint[p]!;
    if (!(s > 0) || !Number.isFinite(s)) {
      throw new QuantTrimError({ code: 'QT_INVALID_QPARAMS', message: `argument \`qparams.scale[${p}]\` of \`${fn}\`: expected a finite scale > 0, got ${s}` });
    }
    if (z < scheme.qmin || z > scheme.qmax) {
      throw new QuantTrimError({
        code: 'QT_INVALID_QPARAMS',
        message: `argument \`qparams.zeroPoint[${p}]\` of \`${fn}\`: ${z} is outside [${scheme.qmin}, ${scheme.qmax}]`,
      });
    }
  }
  return layout;
}
