import { Conv2DBackpropFilter } from '../../tf.js';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelConfig, TensorInfo } from '../../tf.js';
import { convGeometry } from './convGeometry.js';
import { filterGradientPads } from './filterGradientPads.js';
import { KernelScope } from './KernelScope.js';

/**
 * `Conv2DBackpropFilter` as one ordinary `Conv2D` of the backend (XNNPACK on wasm), which the stock
 * wasm backend lacks and the cpu backend runs as a naive loop.
 *
 * dw[a, b, c, o] = Σ_{n,i,j} xp[n, s·i + a, s·j + b, c] · dy[n, i, j, o] is a convolution in which
 * the input channel c is the batch, the batch n is the contracted channel, dy (Ho, Wo, N, Cout) is
 * the filter and the forward stride s is its dilation: x is transposed to (Cin, H, W, N), padded
 * by the forward pads, convolved, and the (Cin, kh, kw, Cout) result transposed to the filter layout.
 * (Conv2D's gradient in tfjs rejects dilations > 1, so the kernel's attrs carry none.)
 */
export function createConv2DBackpropFilterConfig(backendName: string): KernelConfig {
  return {
    kernelName: Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const kernelAttrs = attrs as unknown as Conv2DBackpropFilterAttrs;
      return conv2DBackpropFilter(backend as KernelBackend, backendName, x, dy, kernelAttrs);
    },
  };
}

function conv2DBackpropFilter(backend: KernelBackend, backendName: string, x: TensorInfo, dy: TensorInfo, attrs: Conv2DBackpropFilterAttrs): TensorInfo {
  const g = convGeometry(Conv2DBackpropFilter, x.shape, attrs.filterShape, dy.shape, attrs, false);
  return KernelScope.run(backend, backendName, (s) => {
    const xNhwc = g.channelsFirst ? s.transpose(x, [0, 2, 3, 1]) : x;
    const dyNhwc = g.channelsFirst ? s.transpose(dy, [0, 2, 3, 1]) : dy;
    const xT = s.transpose(xNhwc, [3, 1, 2, 0]); // (Cin, H, W, N)
    const dyT = s.transpose(dyNhwc, [1, 2, 0, 3]); // (Ho, Wo, N, Cout)
    const [top, bottom] = filterGradientPads(g.height);
    const [left, right] = filterGradientPads(g.width);
    const dw = s.conv2d(xT, dyT, {
      strides: [g.height.dilation, g.width.dilation],
      dilations: [g.height.stride, g.width.stride],
      pads: [top, bottom, left, right],
    }); // (Cin, kh, kw, Cout)
    return s.transpose(dw, [1, 2, 0, 3]);
  });
}
