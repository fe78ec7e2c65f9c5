import type * as tf from '../tf.js';
import { type QuantGridRegistry, type QuantScheme, defaultRegistry, schemeToJSON } from '@quant-trim/quant-grid';
import type { ObserverConfig } from '../quantizers/ActivationQuantizer.js';
import { QuantState } from '../quantizers/QuantState.js';
import { type SchemeSpec, globMatch, resolveScheme } from '../quantizers/resolveScheme.js';
import type { WeightTransform } from '../quantizers/WeightQuantizer.js';
import type { GradientMode } from '../types.js';
import { FUSABLE, PRESERVING, REQUANTIZE, SUPPORTED, WEIGHTED, unsupportedReason } from './layerKinds.js';
import { FakeQuant } from './layers/FakeQuant.js';
import { QuantBatchNormalization } from './layers/QuantBatchNormalization.js';
import { QuantConv2D } from './layers/QuantConv2D.js';
import { QuantDense } from './layers/QuantDense.js';
import { QuantDepthwiseConv2D } from './layers/QuantDepthwiseConv2D.js';
import { QuantLayer } from './layers/QuantLayer.js';
import { QuantSeparableConv2D } from './layers/QuantSeparableConv2D.js';
import { QuantizedModel } from './QuantizedModel.js';
import { linkFoldedBatchNorms } from './linkFoldedBatchNorms.js';
import { cloneLayer, rebuildGraph } from './rebuildGraph.js';
import { registerQuantLayers } from './registerQuantLayers.js';

/** Per-layer settings by layer-name pattern (`*` any run of characters, `?` one); the first match wins. */
export interface LayerOverride {
  pattern: string;
  /** Weight grid of matching layers, or false for float weights. */
  weights?: SchemeSpec | false;
  /** Grid of the activation quantizers at matching layers' inputs and output, or false for none. */
  activations?: SchemeSpec | false;
  /** Leave matching layers entirely float (no weight or activation quantizers). */
  exclude?: boolean;
}

/** Scheme randomisation (docs/method.md#scheme-randomisation, off by default): each step the controller samples one of each list. */
export interface RandomizeConfig {
  weights?: SchemeSpec[];
  /** Activation schemes vary bits, signedness, symmetry and rounding; each observer keeps its granularity. */
  activations?: SchemeSpec[];
  seed?: number;
}

export interface QuantizeConfig {
  /** Weight grid (per-channel and per-group axes are chosen per layer type). Default 'int8-sym-per-channel'; false = float weights. */
  weights?: SchemeSpec | false;
  /** Activation grid. Default 'uint8-asym-per-tensor'; false = weight-only quantization. */
  activations?: SchemeSpec | false;
  /**
   * Default 'ste'. 'clipped-ste' zeroes the gradient where values clip. 'lsq' learns every scale
   * (a trainable weight per quantizer, initialised from the statistics on first use; zero points
   * follow the observed minimum); randomised schemes do not apply to LSQ quantizers.
   */
  gradient?: GradientMode;
  /** Activation observers. Default EMA min/max, momentum 0.99. */
  observer?: ObserverConfig;
  /**
   * BatchNormalization after a weighted layer. Both modes train it as BatchNorm (batch statistics
   * while training, moving statistics once the controller freezes it late in training).
   * 'fold' (default): the weighted layer fake-quantizes its weight folded with the BatchNorm's
   * moving statistics (W·γ/σ, as PyTorch's fused ConvBn QAT modules and TFMOT do) and the stripped
   * model folds the trained statistics into it. 'keep': the weight is quantized unfolded and the
   * BatchNorm stays a layer of its own in the stripped model.
   */
  batchNorm?: 'fold' | 'keep';
  overrides?: LayerOverride[];
  randomize?: RandomizeConfig;
  /** Runs on every weight before its scale is computed (reverse pruning plugs in here). */
  weightTransform?: WeightTransform;
  /** Initial λ. Default 1 (plain QAT); the controller drives it during training. */
  lambda?: number;
  /** Where scheme names resolve. Default quant-grid's default registry. */
  registry?: QuantGridRegistry;
}

/** What happened to one layer of the source model. */
export interface LayerReport {
  name: string;
  className: string;
  /** quantized: weights fake-quantized; folded: BatchNorm trained and folded into `into` on deployment; float: kept float. */
  status: 'quantized' | 'folded' | 'float' | 'passthrough';
  weightScheme?: string;
  /** Width of the weight grid the layer trains against (quantized layers). */
  weightBits?: number;
  into?: string;
  reason?: string;
}

type Sym = tf.SymbolicTensor;

interface LayerPlan {
  exclude: boolean;
  weights: QuantScheme | null;
  activations: QuantScheme | null;
}

function weightedLayer(layer: tf.layers.Layer, scheme: QuantScheme | null, gradient: GradientMode, extra: { useBias?: boolean }): QuantLayer {
  const c = layer.getConfig();
  const common = { name: layer.name, trainable: layer.trainable, weightScheme: scheme === null ? null : schemeToJSON(scheme), gradient };
  const activation = c['activation'] as string | undefined;
  const useBias = extra.useBias ?? (c['useBias'] as boolean | undefined);
  const base = { ...common, ...(activation !== undefined ? { activation } : {}), ...(useBias !== undefined ? { useBias } : {}) };
  const conv = { strides: c['strides'] as number[], padding: c['padding'] as 'same' | 'valid', dilationRate: c['dilationRate'] as number[] };
  // tfjs' SeparableConv2D config omits depthMultiplier: read it from the depthwise kernel [kh, kw, C, M].
  const depthwise = layer.weights.find((w) => w.originalName.endsWith('/depthwise_kernel'));
  const depthMultiplier = depthwise === undefined ? 1 : (depthwise.shape[3] as number);
  switch (layer.getClassName()) {
    case 'Dense':
      return new QuantDense({ ...base, units: c['units'] as number });
    case 'Conv2D':
      return new QuantConv2D({ ...base, ...conv, filters: c['filters'] as number, kernelSize: c['kernelSize'] as number[] });
    case 'DepthwiseConv2D':
      return new QuantDepthwiseConv2D({ ...base, ...conv, kernelSize: c['kernelSize'] as number[], depthMultiplier });
    default:
      return new QuantSeparableConv2D({ ...base, ...conv, filters: c['filters'] as number, kernelSize: c['kernelSize'] as number[], depthMultiplier });
  }
}

/**
 * Turns a tfjs LayersModel (Sequential or functional) into a trainable fake-quant model: weighted
 * layers (Dense, Conv2D, DepthwiseConv2D, SeparableConv2D) get weight quantizers, activation
 * quantizers sit at the model inputs and at the outputs of weighted layers (after a following
 * BatchNorm / activation layer, which are quantized with them), Add, Concatenate and average
 * pooling; value-preserving layers (max pooling, Flatten, Reshape, Dropout, …) pass grids through.
 * BatchNormalization trains as BatchNorm; after a weighted layer its weight is fake-quantized
 * folded with the BatchNorm's statistics (folded for real by `stripQuantization`). Unknown layers stay
 * float with a warning. The source model is not modified.
 *
 * @example
 * const q = quantizeModel(model, { weights: 'int8-sym-per-channel', activations: 'uint8-asym-per-tensor',
 *   overrides: [{ pattern: 'conv*', weights: ['int4-sym-per-group', { groupSize: 8 }] }, { pattern: 'head*', exclude: true }] });
 * q.model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
 */
export function quantizeModel(model: tf.LayersModel, config: QuantizeConfig = {}): QuantizedModel {
  registerQuantLayers();
  const registry = config.registry ?? defaultRegistry;
  const gradient = config.gradient ?? 'ste';
  const batchNorm = config.batchNorm ?? 'fold';
  const defaultWeights = config.weights === false ? null : resolveScheme(config.weights ?? 'int8-sym-per-channel', 'config.weights', registry);
  const defaultActivations = config.activations === false ? null : resolveScheme(config.activations ?? 'uint8-asym-per-tensor', 'config.activations', registry);
  const overrides = (config.overrides ?? []).map((o, i) => ({
    pattern: o.pattern,
    exclude: o.exclude === true,
    weights: o.weights === undefined ? undefined : o.weights === false ? null : resolveScheme(o.weights, `config.overrides.${i}.weights`, registry),
    activations:
      o.activations === undefined ? undefined : o.activations === false ? null : resolveScheme(o.activations, `config.overrides.${i}.activations`, registry),
  }));
  const planFor = (name: string): LayerPlan => {
    const o = overrides.find((x) => globMatch(x.pattern, name));
    return {
      exclude: o?.exclude ?? false,
      weights: o?.weights !== undefined ? o.weights : defaultWeights,
      activations: o?.activations !== undefined ? o.activations : defaultActivations,
    };
  };

  const warnings: string[] = [];
  const reports: LayerReport[] = [];
  const state = new QuantState(config.lambda ?? 1);

  // Consumers of every tensor of the source graph (model outputs count as consumers).
  const consumers = new Map<number, { layer: tf.layers.Layer; count: number }[]>();
  const inModel = new Set(model.layers);
  for (const layer of model.layers) {
    for (const node of layer.inboundNodes) {
      for (const t of node.inputTensors) {
        const list = consumers.get(t.id) ?? [];
        list.push({ layer, count: 1 });
        consumers.set(t.id, list);
      }
    }
  }
  const outputIds = new Set(model.outputs.map((t) => t.id));
  const soleConsumer = (t: Sym): tf.layers.Layer | undefined => {
    const list = consumers.get(t.id) ?? [];
    return list.length === 1 && !outputIds.has(t.id) && inModel.has(list[0]!.layer) && list[0]!.layer.inboundNodes.length === 1 ? list[0]!.layer : undefined;
  };

  // Which source layers fold into their producer, and which source tensors get an output quantizer.
  const foldInto = new Map<tf.layers.Layer, tf.layers.Layer>();
  const quantizeOutput = new Map<number, QuantScheme>();
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const plan = planFor(layer.name);
    if (plan.exclude || layer.inboundNodes.length !== 1) continue;
    const weighted = WEIGHTED.has(cls) && unsupportedReason(layer) === undefined;
    if (!weighted && !REQUANTIZE.has(cls)) continue;
    let out = layer.inboundNodes[0]!.outputTensors[0]!;
    let head = layer;
    for (let next = soleConsumer(out); next !== undefined && FUSABLE.has(next.getClassName()) && !planFor(next.name).exclude; next = soleConsumer(out)) {
      if (next.getClassName() === 'BatchNormalization') {
        const linear = (head.getConfig()['activation'] ?? 'linear') === 'linear';
        const lastAxis = [-1, (out.rank ?? 0) - 1].includes((next.getConfig()['axis'] as number | undefined) ?? -1);
        if (!(weighted && head === layer && linear && batchNorm === 'fold' && lastAxis)) break;
        foldInto.set(next, layer);
      }
      head = next;
      out = next.inboundNodes[0]!.outputTensors[0]!;
    }
    if (plan.activations !== null) quantizeOutput.set(out.id, plan.activations);
  }

  // Rebuild the graph.
  const onGrid = new Set<number>(); // ids of new tensors that carry quantized values
  const newLayers = new Map<tf.layers.Layer, tf.layers.Layer>();
  const names = new Set(model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name));
  const uniqueName = (base: string): string => {
    let name = base;
    for (let i = 1; names.has(name); i++) name = `${base}_${i}`;
    names.add(name);
    return name;
  };
  const fq = (t: Sym, name: string, scheme: QuantScheme): Sym => {
    const layer = new FakeQuant({ name: uniqueName(name), scheme: schemeToJSON(scheme), gradient, ...(config.observer ? { observer: config.observer } : {}) });
    layer.quantState = state;
    const out = layer.apply(t) as Sym;
    onGrid.add(out.id);
    return out;
  };

  const applyLayer = (layer: tf.layers.Layer, node: tf.layers.Layer['inboundNodes'][number], _nodeIndex: number, inputs: Sym[]): Sym[] => {
    const cls = layer.getClassName();
    const plan = planFor(layer.name);
    let ins = inputs;
    const producer = foldInto.get(layer);
    let newLayer = newLayers.get(layer);
    const weighted = WEIGHTED.has(cls) && !plan.exclude;
    const reason = weighted ? unsupportedReason(layer) : undefined;
    if (newLayer === undefined) {
      if (producer !== undefined) {
        // Trained as BatchNorm; its producer quantizes the weight folded with its statistics.
        newLayer = quantBatchNorm(layer, producer.name);
        (newLayer as QuantBatchNormalization).quantState = state;
        reports.push({ name: layer.name, className: cls, status: 'folded', into: producer.name });
      } else if (weighted && reason === undefined) {
        newLayer = weightedLayer(layer, plan.weights, gradient, {});
        (newLayer as QuantLayer).quantState = state;
        if (config.weightTransform) (newLayer as QuantLayer).setWeightTransform(config.weightTransform);
        reports.push({
          name: layer.name,
          className: cls,
          status: plan.weights === null ? 'float' : 'quantized',
          ...(plan.weights ? { weightScheme: plan.weights.name ?? describe(plan.weights), weightBits: plan.weights.bits } : {}),
        });
      } else if (
        cls === 'BatchNormalization' &&
        batchNorm === 'keep' &&
        !plan.exclude &&
        [-1, (node.inputTensors[0]?.rank ?? 0) - 1].includes((layer.getConfig()['axis'] as number | undefined) ?? -1)
      ) {
        newLayer = quantBatchNorm(layer, undefined);
        (newLayer as QuantBatchNormalization).quantState = state;
        reports.push({ name: layer.name, className: cls, status: 'float', reason: 'BatchNorm kept (frozen late by the controller)' });
      } else {
        newLayer = cloneLayer(layer);
        const why =
          reason ?? (plan.exclude ? 'excluded by an override' : SUPPORTED.has(cls) ? undefined : `layer class ${cls} is not supported for quantization`);
        if (why !== undefined && !plan.exclude) warnings.push(`${layer.name} (${cls}): ${why}; it stays float`);
        reports.push({ name: layer.name, className: cls, status: why === undefined ? 'passthrough' : 'float', ...(why ? { reason: why } : {}) });
      }
      newLayers.set(layer, newLayer);
    }
    // Quantizable ops take quantized inputs: add an input quantizer where the producer left float values.
    if (((weighted && reason === undefined) || REQUANTIZE.has(cls)) && plan.activations !== null && !plan.exclude) {
      ins = ins.map((t, i) => (onGrid.has(t.id) ? t : fq(t, `${layer.name}_in${i}_fq`, plan.activations!)));
    }
    const result = newLayer.apply(ins.length === 1 ? ins[0]! : ins);
    const outs = (Array.isArray(result) ? result : [result]) as Sym[];
    return node.outputTensors.map((t, i) => {
      const out = outs[i]!;
      if (PRESERVING.has(cls) && ins.every((x) => onGrid.has(x.id))) onGrid.add(out.id);
      const scheme = quantizeOutput.get(t.id);
      return scheme === undefined ? out : fq(out, `${layer.name}_fq`, scheme);
    });
  };

  const qmodel = rebuildGraph(
    model,
    {
      input: (input, source) =>
        defaultActivations !== null && (consumers.get(source.id) ?? []).some((c) => !planFor(c.layer.name).exclude)
          ? fq(input, `${(input.sourceLayer as tf.layers.Layer).name}_fq`, defaultActivations)
          : input,
      node: applyLayer,
    },
    `${model.name}_quant`,
    names,
  );

  // Copy the trained weights (BatchNorm keeps its own: γ, β and the moving statistics).
  for (const [source, target] of newLayers) {
    const weights = source.getWeights();
    if (weights.length > 0) copyOwnWeights(target, weights);
  }
  linkFoldedBatchNorms(qmodel);

  return new QuantizedModel({
    model: qmodel,
    state,
    config: {
      weights: defaultWeights === null ? false : schemeToJSON(defaultWeights),
      activations: defaultActivations === null ? false : schemeToJSON(defaultActivations),
      gradient,
      batchNorm,
      observer: config.observer ?? {},
      overrides: config.overrides ?? [],
      ...(config.randomize ? { randomize: config.randomize } : {}),
    },
    randomize: config.randomize
      ? {
          weights: (config.randomize.weights ?? []).map((s, i) => resolveScheme(s, `config.randomize.weights.${i}`, registry)),
          activations: (config.randomize.activations ?? []).map((s, i) => resolveScheme(s, `config.randomize.activations.${i}`, registry)),
          seed: config.randomize.seed ?? 0,
        }
      : undefined,
    layers: reports,
    warnings,
    ...(config.weightTransform ? { weightTransform: config.weightTransform } : {}),
  });
}

/** Sets a layer's own weights in order, leaving learned scales (LSQ) to initialise themselves. */
function copyOwnWeights(target: tf.layers.Layer, values: tf.Tensor[]): void {
  const own = target instanceof QuantLayer ? target.weights.filter((w) => QuantLayer.isOwnWeight(w.originalName)) : target.weights;
  if (own.length !== values.length) throw new Error(`${target.name}: expected ${own.length} weights, got ${values.length}`);
  own.forEach((w, i) => w.write(values[i]!));
}

/** A channels-last BatchNorm trained as BatchNorm, optionally folded into `foldedInto` on deployment. */
function quantBatchNorm(layer: tf.layers.Layer, foldedInto: string | undefined): QuantBatchNormalization {
  const c = layer.getConfig();
  return new QuantBatchNormalization({
    name: layer.name,
    momentum: c['momentum'] as number,
    epsilon: c['epsilon'] as number,
    center: c['center'] as boolean,
    scale: c['scale'] as boolean,
    ...(foldedInto !== undefined ? { foldedInto } : {}),
  });
}

function describe(s: QuantScheme): string {
  return `${s.signed ? 'int' : 'uint'}${s.bits} ${s.symmetric ? 'sym' : 'asym'} ${s.granularity.kind}`;
}
