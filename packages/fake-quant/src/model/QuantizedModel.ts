import type * as tf from '../tf.js';
import type { QuantScheme } from '@quant-trim/quant-grid';
import type { QuantState } from '../quantizers/QuantState.js';
import type { QuantizedWeight, WeightTransform } from '../quantizers/WeightQuantizer.js';
import { FakeQuant } from './layers/FakeQuant.js';
import { QuantLayer } from './layers/QuantLayer.js';
import type { LayerReport } from './quantizeModel.js';

/** Resolved scheme-randomisation sets. */
export interface RandomizeSets {
  weights: QuantScheme[];
  activations: QuantScheme[];
  seed: number;
}

export interface QuantizedModelParts {
  model: tf.LayersModel;
  state: QuantState;
  /** The JSON-safe config it was built with (saved with the checkpoint). */
  config: Record<string, unknown>;
  randomize: RandomizeSets | undefined;
  layers: LayerReport[];
  warnings: string[];
  weightTransform?: WeightTransform;
}

/** An observed activation range, per quantization point. */
export interface ActivationRange {
  layer: string;
  min: number[];
  max: number[];
  shape: number[];
  scheme: QuantScheme;
  observed: boolean;
}

/**
 * A fake-quant model and the state its quantizers share. Train `model` like any LayersModel;
 * drive λ with a `QuantTrimController` (or `setLambda`).
 */
export class QuantizedModel {
  readonly model: tf.LayersModel;
  readonly state: QuantState;
  readonly config: Record<string, unknown>;
  readonly randomize: RandomizeSets | undefined;
  /** What happened to every source layer. */
  readonly layers: readonly LayerReport[];
  /** Layers that stayed float for a reason the user should know (unknown class, unsupported config). */
  readonly warnings: readonly string[];
  #weightTransform: WeightTransform | undefined;

  constructor(parts: QuantizedModelParts) {
    this.model = parts.model;
    this.state = parts.state;
    this.config = parts.config;
    this.randomize = parts.randomize;
    this.layers = parts.layers;
    this.warnings = parts.warnings;
    this.#weightTransform = parts.weightTransform;
  }

  get weightTransform(): WeightTransform | undefined {
    return this.#weightTransform;
  }

  /** Layers that fake-quantize weights. */
  quantLayers(): QuantLayer[] {
    return this.model.layers.filter((l): l is QuantLayer => l instanceof QuantLayer);
  }

  /** Every weight the model fake-quantizes, with its layout (what weight transforms act on). */
  quantizedWeights(): QuantizedWeight[] {
    return this.quantLayers().flatMap((l) => [...l.quantizedWeights()]);
  }

  /** Activation quantization points. */
  fakeQuantLayers(): FakeQuant[] {
    return this.model.layers.filter((l): l is FakeQuant => l instanceof FakeQuant);
  }

  setLambda(value: number): void {
    this.state.setLambda(value);
  }

  /** Installs (or removes) the weight transform on every quantized layer. */
  setWeightTransform(transform: WeightTransform | undefined): void {
    this.#weightTransform = transform;
    for (const layer of this.quantLayers()) layer.setWeightTransform(transform);
  }

  freezeObservers(frozen = true): void {
    this.state.observersFrozen = frozen;
  }

  freezeBatchNorm(frozen = true): void {
    this.state.batchNormFrozen = frozen;
  }

  /** Observed ranges of every activation quantizer (what the QDQ export uses). */
  activationRanges(): ActivationRange[] {
    return this.fakeQuantLayers().map((l) => ({ layer: l.name, ...l.range(), scheme: l.scheme, observed: l.quantizer.initialized }));
  }

  /** Releases the model's weights and the state's variables. */
  dispose(): void {
    this.model.dispose();
    this.state.dispose();
  }
}
