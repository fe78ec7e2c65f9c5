import { DepthwiseConv2dNativeBackpropInput } from '../../tf.js';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelBackend, KernelConfig, TensorInfo } from '../../tf.js';
import { convGeometry } from './convGeometry.js';
import { inputGradient } from './inputGradient.js';
import { KernelScope } from './KernelScope.js';

/**
 * `DepthwiseConv2dNativeBackpropInput` (missing on wasm, a loop on cpu) as one forward depthwise
 * conv of the backend. A channel multiplier M is folded into the channels: output channel c·M + m
 * of the forward conv is channel c·M + m of a multiplier-1 depthwise conv whose filter is
 * w reshaped to (kh, kw, C·M, 1); its input gradient (see `inputGradient`) is then summed over m.
 * Dilations are honoured (the stock cpu kernel ignores them).
 */
export function createDepthwiseConv2dNativeBackpropInputConfig(backendName: string, original?: KernelConfig): KernelConfig {
  return {
    kernelName: DepthwiseConv2dNativeBackpropInput,
    backendName,
    ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original?.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
      const kernelAttrs = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
      return depthwiseConv2dNativeBackpropInput(backend as KernelBackend, backendName, dy, filter, kernelAttrs);
    },
  };
}

function depthwiseConv2dNativeBackpropInput(
  backend: KernelBackend,
  backendName: string,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: DepthwiseConv2dNativeBackpropInputAttrs,
): TensorInfo {
  const g = convGeometry(DepthwiseConv2dNativeBackpropInput, attrs.inputShape, filter.shape, dy.shape, attrs, true);
  const [kh, kw, channels, multiplier] = filter.shape as [number, number, number, number];
  const [n, h, w] = [g.batch, g.height.size, g.width.size];
  return KernelScope.run(backend, backendName, (s) => {
    const perChannel = s.reshape(filter, [kh, kw, channels * multiplier, 1]);
    const dx = inputGradient(s, dy, perChannel, g, 'depthwise'); // (N, H, W, C·M)
    if (multiplier === 1) return dx;
    return s.sum(s.reshape(dx, [n, h, w, channels, multiplier]), 4);
  });
}
