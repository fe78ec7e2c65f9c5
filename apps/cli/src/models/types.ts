/** The built-in model architectures (tfjs layers). */
export type ModelName = 'mlp' | 'cnn' | 'dscnn' | 'resnet-tiny';

export interface BuildModelOptions {
  /** Sample shape `[height, width, channels]`. */
  readonly inputShape: readonly [number, number, number];
  readonly classes: number;
  /** Seed of every kernel initializer, so a run is reproducible. Default 0. */
  readonly seed?: number;
}

/** One layer of a model, as reports list it. */
export interface LayerSummary {
  readonly name: string;
  /** The tfjs layer class (`Conv2D`, `BatchNormalization`, `ReLU`, …). */
  readonly className: string;
  /** Output shape without the batch dimension. */
  readonly outputShape: readonly number[];
  /** Weights of this layer (trainable and not, e.g. BatchNorm moving statistics). */
  readonly parameters: number;
}

/** What `describeModel` reports: parameter counts and the layer list (input layers excluded). */
export interface ModelSummary {
  readonly name: string;
  /** Every weight, BatchNorm moving statistics included (tfjs `countParams()`). */
  readonly parameters: number;
  readonly trainableParameters: number;
  readonly layers: readonly LayerSummary[];
}
