import { Conv2DBackpropInput } from '../../tf.js';
import type { Conv2DBackpropInputAttrs, KernelBackend, KernelConfig, TensorInfo } from '../../tf.js';
import { convGeometry } from './convGeometry.js';
import { inputGradient } from './inputGradient.js';
import { KernelScope } from './KernelScope.js';

/**
 * `Conv2DBackpropInput` as one forward `Conv2D` of the backend, for every stride (see
 * `inputGradient`): the stock wasm and cpu kernels are naive loops. tfjs' Conv2D gradient rejects
 * dilations > 1 before any backprop kernel runs, so the attrs carry none (the depthwise kernels,
 * whose attrs do, handle them).
 *
 * `original` is the config this one replaces. Its `setupFunc` is kept: on wasm the setup binds the
 * kernel's wasm export, and tfjs runs the setup of whatever config is registered when the backend
 * initialises or is selected again — without it, restoring the original kernel later would leave
 * it unbound (`wasmConv2DBackpropInput is not a function`).
 */
export function createConv2DBackpropInputConfig(backendName: string, original?: KernelConfig): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName,
    ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original?.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
      const kernelAttrs = attrs as unknown as Conv2DBackpropInputAttrs;
      return conv2DBackpropInput(backend as KernelBackend, backendName, dy, filter, kernelAttrs);
    },
  };
}

function conv2DBackpropInput(backend: KernelBackend, backendName: string, dy: TensorInfo, filter: TensorInfo, attrs: Conv2DBackpropInputAttrs): TensorInfo {
  const g = convGeometry(Conv2DBackpropInput, attrs.inputShape, filter.shape, dy.shape, attrs, false);
  return KernelScope.run(backend, backendName, (s) => {
    const dyNhwc = g.channelsFirst ? s.transpose(dy, [0, 2, 3, 1]) : dy;
    const dx = inputGradient(s, dyNhwc, filter, g, 'conv');
    return g.channelsFirst ? s.transpose(dx, [0, 3, 1, 2]) : dx;
  });
}
