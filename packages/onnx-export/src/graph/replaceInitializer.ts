import { QuantTrimError } from '@quant-trim/errors';
import { cloneModel } from './cloneModel.js';
import { checkTensor } from './tensorCodec.js';
import type { OnnxModel, OnnxTensor } from './types.js';

/**
 * A copy of the model with one initializer's data replaced (new weights, folded BN, quantized
 * codes). The replacement must keep the element type and dims, so every consumer stays valid;
 * its `name` is ignored (the initializer keeps its name and position).
 *
 * @throws QuantTrimError `QT_INVALID_ARGUMENT` for an unknown name, a different data type or a
 *   tensor whose data does not match its dims; `QT_SHAPE_MISMATCH` for different dims.
 * @example
 * const w = model.graph.initializers.get('conv.weight')!;
 * const next = replaceInitializer(model, 'conv.weight', { ...w, data: w.data.map((v) => v * 2) });
 */
export function replaceInitializer(model: OnnxModel, name: string, tensor: Omit<OnnxTensor, 'name'> & { name?: string }): OnnxModel {
  const where = 'argument `tensor` of `replaceInitializer`';
  const old = model.graph.initializers.get(name);
  if (old === undefined) {
    const known = [...model.graph.initializers.keys()];
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`name\` of \`replaceInitializer\`: no initializer '${name}' (the graph has ${known.length}${known.length ? `: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}` : ''})`,
    });
  }
  const next: OnnxTensor = { ...tensor, name };
  if (next.dataType !== old.dataType) {
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `${where}: data type ${next.dataType} differs from '${name}''s ${old.dataType}` });
  }
  if (next.dims.length !== old.dims.length || next.dims.some((d, i) => d !== old.dims[i])) {
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `${where}: dims [${next.dims.join(', ')}] differ from '${name}''s [${old.dims.join(', ')}]`,
    });
  }
  checkTensor(next, where);
  const result = cloneModel(model);
  result.graph.initializers.set(name, next);
  return result;
}
