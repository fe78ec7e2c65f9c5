import { DepthwiseConv2dNativeBackpropFilter } from '../../tf.js';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelBackend, KernelConfig, TensorInfo } from '../../tf.js';
import { convGeometry } from './convGeometry.js';
import { filterGradientPads } from './filterGradientPads.js';
import { KernelScope } from './KernelScope.js';

/**
 * `DepthwiseConv2dNativeBackpropFilter` (missing on wasm, a loop on cpu) as one forward depthwise
 * conv of the backend.
 *
 * dw[a, b, c, m] = Σ_{n,i,j} xp[n, s·i + d·a, s·j + d·b, c] · dy[n, i, j, c·M + m]. Each (n, c)
 * pair is one channel of a batch-1 depthwise conv: x transposed to (1, H, W, N·C), dy transposed
 * to the filter (Ho, Wo, N·C, M), dilated by the forward stride and strided by the forward
 * dilation. Its (1, kh, kw, N·C·M) output is then summed over n.
 */
export function createDepthwiseConv2dNativeBackpropFilterConfig(backendName: string, original?: KernelConfig): KernelConfig {
  return {
    kernelName: DepthwiseConv2dNativeBackpropFilter,
    backendName,
    ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original?.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const kernelAttrs = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
      return depthwiseConv2dNativeBackpropFilter(backend as KernelBackend, backendName, x, dy, kernelAttrs);
    },
  };
}

function depthwiseConv2dNativeBackpropFilter(
  backend: KernelBackend,
  backendName: string,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs,
): TensorInfo {
  const g = convGeometry(DepthwiseConv2dNativeBackpropFilter, x.shape, attrs.filterShape, dy.shape, attrs, true);
  const [kh, kw, channels, multiplier] = attrs.filterShape;
  const n = g.batch;
  return KernelScope.run(backend, backendName, (s) => {
    const xT = s.reshape(s.transpose(x, [1, 2, 0, 3]), [1, g.height.size, g.width.size, n * channels]);
    const dyT = s.reshape(s.transpose(dy, [1, 2, 0, 3]), [g.height.outSize, g.width.outSize, n * channels, multiplier]);
    const [top, bottom] = filterGradientPads(g.height);
    const [left, right] = filterGradientPads(g.width);
    const perSample = s.depthwiseConv2d(xT, dyT, {
      strides: [g.height.dilation, g.width.dilation],
      dilations: [g.height.stride, g.width.stride],
      pads: [top, bottom, left, right],
    }); // (1, kh, kw, N·C·M), channel (n·C + c)·M + m
    const summed = n === 1 ? perSample : s.sum(s.reshape(perSample, [kh, kw, n, channels * multiplier]), 2);
    return s.reshape(summed, [kh, kw, channels, multiplier]);
  });
}
