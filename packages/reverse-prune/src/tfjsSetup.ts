// `#tfjs-setup` for bundlers and browsers: tfjs-core's gradient and chained-op registrations, without the umbrella.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
