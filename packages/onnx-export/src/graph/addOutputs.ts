import { QuantTrimError } from '@quant-trim/errors';
import { cloneModel } from './cloneModel.js';
import { inferElemTypes } from './inferElemTypes.js';
import { inferShapes } from './inferShapes.js';
import type { InferShapesOptions } from './inferShapes.js';
import type { OnnxModel, ValueInfo } from './types.js';

/**
 * A copy of the model with intermediate tensors exposed as extra graph outputs, so a runtime
 * returns them too (calibration, layer-by-layer comparison, shape checks). Each new output is
 * declared with the element type and static shape this package infers (`inferElemTypes`,
 * `inferShapes`); unknown parts are left out so the runtime fills them in. Names that already
 * are outputs are skipped; the input model is not modified.
 *
 * @throws QuantTrimError `QT_INVALID_ARGUMENT` for a name no node, initializer or input defines.
 * @example
 * const probe = addOutputs(model, ['conv1_out', 'relu1_out']);
 * const out = await session(writeOnnx(probe)).run(feeds); // out.conv1_out, out.relu1_out
 */
export function addOutputs(model: OnnxModel, names: readonly string[], options: InferShapesOptions = {}): OnnxModel {
  const { graph } = model;
  const defined = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((v) => v.name), ...graph.nodes.flatMap((n) => n.outputs)]);
  defined.delete('');
  const missing = names.filter((n) => !defined.has(n));
  if (missing.length > 0) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`names\` of \`addOutputs\`: ${missing.map((n) => `'${n}'`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not defined in the graph`,
      details: { missing },
    });
  }
  const existing = new Set(graph.outputs.map((v) => v.name));
  const wanted = [...new Set(names)].filter((n) => !existing.has(n));
  const result = cloneModel(model);
  if (wanted.length === 0) return result;
  const shapes = inferShapes(model, options);
  const types = inferElemTypes(model);
  for (const name of wanted) {
    const info: ValueInfo = { name };
    const elemType = types.get(name);
    const shape = shapes.get(name);
    if (elemType !== undefined) info.elemType = elemType;
    if (shape !== undefined) info.shape = [...shape];
    result.graph.outputs.push(info);
  }
  return result;
}
