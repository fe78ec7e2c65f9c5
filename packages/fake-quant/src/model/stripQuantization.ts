import * as tf from '../tf.js';
import type { QuantScheme } from '@quant-trim/quant-grid';
import { FakeQuant } from './layers/FakeQuant.js';
import { QuantBatchNormalization } from './layers/QuantBatchNormalization.js';
import { QuantConv2D } from './layers/QuantConv2D.js';
import { QuantDense } from './layers/QuantDense.js';
import { QuantDepthwiseConv2D } from './layers/QuantDepthwiseConv2D.js';
import { QuantLayer } from './layers/QuantLayer.js';
import { QuantSeparableConv2D } from './layers/QuantSeparableConv2D.js';
import type { ActivationRange, QuantizedModel } from './QuantizedModel.js';
import { cloneLayer, rebuildGraph } from './rebuildGraph.js';

export interface StripOptions {
  /**
   * Bake the weight transform (e.g. reverse pruning's trim at the final strength) into the float
   * weights, so the checkpoint holds the weights training saw. Default true.
   */
  applyWeightTransform?: boolean;
}

export interface StrippedModel {
  /**
   * The plain float model: standard tfjs layers with the trained weights (BatchNorm folded with its
   * trained moving statistics where `batchNorm: 'fold'`), and a clamp (`ReLU(maxValue)` or `Clamp`)
   * wherever activation tail trimming deploys one.
   */
  model: tf.LayersModel;
  /** Each activation quantization point: the tensor it sat on (the output of `after`) and its observed range. */
  activationRanges: (ActivationRange & { after: string })[];
  /** Weight grids by layer and weight name. */
  weightSchemes: Record<string, Record<string, QuantScheme>>;
}

/** tfjs' activation names, as its layer configs type them (a quantized layer stores the same string). */
type ActivationName = NonNullable<Parameters<typeof tf.layers.dense>[0]['activation']>;

function floatTwin(layer: QuantLayer | QuantBatchNormalization): tf.layers.Layer {
  const name = layer.name;
  // A folded BatchNorm gives its producer a bias.
  const common = (l: QuantDense | QuantConv2D | QuantDepthwiseConv2D | QuantSeparableConv2D) => ({
    name,
    activation: l.activation as ActivationName,
    useBias: l.useBias || l.foldedBatchNorm !== undefined,
  });
  if (layer instanceof QuantDense) return tf.layers.dense({ ...common(layer), units: layer.units });
  if (layer instanceof QuantConv2D) {
    return tf.layers.conv2d({
      ...common(layer),
      filters: layer.filters,
      kernelSize: layer.kernelSize,
      strides: layer.strides,
      padding: layer.padding,
      dilationRate: layer.dilationRate,
    });
  }
  if (layer instanceof QuantDepthwiseConv2D) {
    return tf.layers.depthwiseConv2d({
      ...common(layer),
      kernelSize: layer.kernelSize,
      depthMultiplier: layer.depthMultiplier,
      strides: layer.strides,
      padding: layer.padding,
      dilationRate: layer.dilationRate,
    });
  }
  if (layer instanceof QuantSeparableConv2D) {
    return tf.layers.separableConv2d({
      ...common(layer),
      filters: layer.filters,
      kernelSize: layer.kernelSize,
      depthMultiplier: layer.depthMultiplier,
      strides: layer.strides,
      padding: layer.padding,
      dilationRate: layer.dilationRate,
    });
  }
  const bn = layer as QuantBatchNormalization;
  return tf.layers.batchNormalization({ name, axis: -1, momentum: bn.momentum, epsilon: bn.epsilon, center: bn.center, scale: bn.scale });
}

/**
 * The hardware-neutral checkpoint: the quantized model's graph with plain float layers and the
 * trained weights, its activation quantizers removed and their observed ranges returned as data
 * (for QDQ export and encodings).
 *
 * @example
 * const { model, activationRanges } = stripQuantization(q);
 * await model.save(handler); // an ordinary tfjs model
 */
export function stripQuantization(quantized: QuantizedModel, options: StripOptions = {}): StrippedModel {
  const applyTransform = options.applyWeightTransform ?? true;
  const source = quantized.model;
  const ranges = new Map(quantized.activationRanges().map((r) => [r.layer, r]));
  const activationRanges: StrippedModel['activationRanges'] = [];
  const weightSchemes: StrippedModel['weightSchemes'] = {};
  const copies: [tf.layers.Layer, tf.Tensor[]][] = [];
  const transformed: tf.Tensor[] = [];
  const producerName = new Map<number, string>();
  const model = rebuildGraph(
    source,
    {
      input: (input, original) => {
        const name = (input.sourceLayer as tf.layers.Layer).name;
        producerName.set(input.id, name);
        producerName.set(original.id, name);
        return input;
      },
      node: (layer, node, _i, inputs) => {
        if (layer instanceof FakeQuant) {
          const range = ranges.get(layer.name);
          if (range !== undefined)
            activationRanges.push({ ...range, after: producerName.get(node.inputTensors[0]!.id) ?? producerName.get(inputs[0]!.id) ?? '' });
          producerName.set(node.outputTensors[0]!.id, producerName.get(node.inputTensors[0]!.id) ?? '');
          // Activation tail trimming deploys its clamp: the float model backends calibrate is bounded as in training.
          const clamp = layer.deployedClampLayer();
          return clamp === undefined ? inputs : [clamp.apply(inputs[0]!) as tf.SymbolicTensor];
        }
        if (layer instanceof QuantBatchNormalization && layer.foldedInto !== undefined) {
          // Folded into its producer's weights (below): the deployed graph has no BatchNorm here.
          node.outputTensors.forEach((t) => producerName.set(t.id, producerName.get(node.inputTensors[0]!.id) ?? layer.foldedInto!));
          return inputs;
        }
        let twin: tf.layers.Layer;
        let weights: tf.Tensor[];
        if (layer instanceof QuantLayer) {
          twin = floatTwin(layer);
          weightSchemes[layer.name] = layer.weightSchemes();
          weights = layer.deployedWeights(applyTransform);
          transformed.push(...weights);
        } else if (layer instanceof QuantBatchNormalization) {
          twin = floatTwin(layer);
          weights = layer.getWeights();
        } else {
          const own = layer.weights.map((w) => QuantLayer.isOwnWeight(w.originalName));
          weights = layer.getWeights().filter((_, k) => own[k]);
          twin = cloneLayer(layer);
        }
        const result = twin.apply(inputs.length === 1 ? inputs[0]! : inputs);
        const outs = (Array.isArray(result) ? result : [result]) as tf.SymbolicTensor[];
        node.outputTensors.forEach((t) => producerName.set(t.id, layer.name));
        copies.push([twin, weights]);
        return outs;
      },
    },
    source.name.replace(/_quant$/, ''),
    new Set(source.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name)),
  );
  for (const [twin, weights] of copies) if (weights.length > 0) twin.setWeights(weights);
  tf.dispose(transformed);
  return { model, activationRanges, weightSchemes };
}
