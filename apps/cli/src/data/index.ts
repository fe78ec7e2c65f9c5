export { loadDataset, BUILTIN_DATASETS, CSV_TEST_FRACTION } from './loadDataset.js';
export { describeDataset } from './describeDataset.js';
export { MNIST_TEST_FRACTION } from './mnist.js';
export { FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_DIR_ENV } from './fashionMnist.js';
export { SYNTHETIC_TRAIN_SIZE, SYNTHETIC_TEST_SIZE } from './synthetic.js';
export { parseIdx } from './idx.js';
export type { Dataset, DatasetName, LoadDatasetOptions, Split } from './types.js';
