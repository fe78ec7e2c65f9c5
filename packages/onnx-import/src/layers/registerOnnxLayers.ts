import * as tf from '@tensorflow/tfjs';
import { Clamp } from '@quant-trim/fake-quant';
import { OnnxConstantPad } from './OnnxConstantPad.js';
import { OnnxElementwise } from './OnnxElementwise.js';
import { OnnxGroupedConv2D } from './OnnxGroupedConv2D.js';
import { OnnxHardSigmoid } from './OnnxHardSigmoid.js';
import { OnnxHardSwish } from './OnnxHardSwish.js';
import { OnnxSlice } from './OnnxSlice.js';

/** The layer classes an imported model may contain beyond stock tfjs (Clamp is @quant-trim/fake-quant's). */
export const ONNX_LAYER_CLASSES = [OnnxHardSigmoid, OnnxHardSwish, OnnxConstantPad, OnnxElementwise, OnnxGroupedConv2D, OnnxSlice, Clamp] as const;

/**
 * Registers the importer's layer classes with tfjs serialization, so imported models save and
 * load (`tf.loadLayersModel`, fake-quant's `loadQuantizedModel`). `importOnnx` calls it; call it
 * yourself before loading a saved imported model in a fresh process. Registering twice is harmless.
 *
 * @example
 * registerOnnxLayers();
 * const model = await tf.loadLayersModel('file://out/model.json');
 */
export function registerOnnxLayers(): void {
  for (const cls of ONNX_LAYER_CLASSES) tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>);
}
