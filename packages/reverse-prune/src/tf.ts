// tfjs as this package uses it: the core ops and the Layers API, not the '@tensorflow/tfjs' umbrella,
// which would also pull the WebGL backend and the converter into every bundle of this package.
// `#tfjs-setup` registers the op gradients and the chained tensor methods (x.mul(y)) as the
// umbrella does: in Node through the umbrella's CommonJS build (tfjs-core's ES modules do not load
// in Node), in bundlers from tfjs-core itself (package.json `imports`).
import '#tfjs-setup';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
