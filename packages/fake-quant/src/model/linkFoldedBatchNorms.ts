import type * as tf from '../tf.js';
import { QuantTrimError } from '@quant-trim/errors';
import { QuantBatchNormalization } from './layers/QuantBatchNormalization.js';
import { QuantLayer } from './layers/QuantLayer.js';

/**
 * Attaches every BatchNorm with `foldedInto` to the quantized layer it names, so that layer
 * fake-quantizes its weight folded with the BatchNorm's statistics. `quantizeModel` and
 * `loadQuantizedModel` call it; the link is runtime state rebuilt from the layers' configs.
 */
export function linkFoldedBatchNorms(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (!(layer instanceof QuantBatchNormalization) || layer.foldedInto === undefined) continue;
    // Checkpoints written before `foldedInto` was saved as `{ name }` hold the camel-cased name.
    const producer =
      model.layers.find((l) => l.name === layer.foldedInto) ?? model.layers.find((l) => l instanceof QuantLayer && camelCase(l.name) === layer.foldedInto);
    if (!(producer instanceof QuantLayer)) {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `BatchNorm ${layer.name} is folded into "${layer.foldedInto}", which is not a quantized weighted layer of model ${model.name}`,
      });
    }
    producer.foldedBatchNorm = layer;
  }
}

/** tfjs' snake_case → camelCase rule for config strings (`stem_conv` → `stemConv`). */
function camelCase(name: string): string {
  return name.replace(/_+(\w|$)/g, (_, c: string) => c.toUpperCase());
}
