import * as tf from '../tf.js';
import { Clamp } from './layers/Clamp.js';
import { FakeQuant } from './layers/FakeQuant.js';
import { QuantBatchNormalization } from './layers/QuantBatchNormalization.js';
import { QuantConv2D } from './layers/QuantConv2D.js';
import { QuantDense } from './layers/QuantDense.js';
import { QuantDepthwiseConv2D } from './layers/QuantDepthwiseConv2D.js';
import { QuantSeparableConv2D } from './layers/QuantSeparableConv2D.js';

export const quantLayerClasses = [FakeQuant, QuantDense, QuantConv2D, QuantDepthwiseConv2D, QuantSeparableConv2D, QuantBatchNormalization, Clamp] as const;

/**
 * Registers the quantized layer classes with tfjs serialization so `tf.loadLayersModel` can
 * rebuild saved quantized models. tfjs keeps that map globally; registering again is harmless.
 * `quantizeModel` and `loadQuantizedModel` call it; nothing registers on import.
 */
export function registerQuantLayers(): void {
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const cls of quantLayerClasses) {
    if (known[cls.className] === undefined)
      tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
  }
}
