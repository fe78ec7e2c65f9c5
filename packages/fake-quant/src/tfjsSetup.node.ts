// `#tfjs-setup` in Node: the umbrella's CommonJS build registers the gradients and chained ops on
// the shared tfjs-core (whose ES module files cannot be imported by Node; bundle size does not matter here).
import '@tensorflow/tfjs';
