import { backend_util } from '../../tf.js';
import { QuantTrimError } from '@quant-trim/errors';

type Pad = Parameters<typeof backend_util.computeConv2DInfo>[4];
type RoundingMode = Parameters<typeof backend_util.computeConv2DInfo>[5];

/** One spatial axis of a forward convolution, as its gradients need it. */
export interface ConvAxis {
  /** Input extent. */
  readonly size: number;
  /** Output extent. */
  readonly outSize: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  /** Forward padding before and after the input (always ≥ 0). */
  readonly padBefore: number;
  readonly padAfter: number;
}

/** The forward conv behind a backprop kernel, in NHWC terms whatever the attrs' data format. */
export interface ConvGeometry {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly height: ConvAxis;
  readonly width: ConvAxis;
  /** True when the kernel's tensors are NCHW and must be transposed around the NHWC computation. */
  readonly channelsFirst: boolean;
}

export interface ConvGeometryAttrs {
  readonly strides: [number, number] | number;
  readonly dilations?: [number, number] | number;
  readonly pad: Pad;
  readonly dimRoundingMode?: RoundingMode;
  readonly dataFormat?: 'NHWC' | 'NCHW';
}

/**
 * Resolves a backprop kernel's attrs through tfjs' own `computeConv2DInfo`, so 'same', 'valid' and
 * explicit padding mean exactly what they mean in the forward kernel.
 *
 * The output extent is taken from dy itself, not from the attrs: tfjs' conv gradients drop the
 * forward `dimRoundingMode`, so with 'ceil' or 'round' dy can be one row or column larger than
 * the attrs imply. Sizing everything from dy gives the gradient of the forward conv that actually
 * ran (its windows past the input read zeros), where tfjs' stock kernels silently ignore that
 * last row or column of dy.
 */
export function convGeometry(
  kernelName: string,
  inShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  attrs: ConvGeometryAttrs,
  depthwise: boolean,
): ConvGeometry {
  const dataFormat = backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC');
  const info = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    dataFormat,
  );
  const { top, bottom, left, right } = info.padInfo;
  const channelsFirst = dataFormat === 'channelsFirst';
  const [outHeight, outWidth] = channelsFirst ? [dyShape[2]!, dyShape[3]!] : [dyShape[1]!, dyShape[2]!];
  const geometry: ConvGeometry = {
    batch: info.batchSize,
    inChannels: info.inChannels,
    outChannels: info.outChannels,
    channelsFirst,
    height: {
      size: info.inHeight,
      outSize: outHeight,
      kernel: info.filterHeight,
      stride: info.strideHeight,
      dilation: info.dilationHeight,
      padBefore: top,
      padAfter: bottom,
    },
    width: {
      size: info.inWidth,
      outSize: outWidth,
      kernel: info.filterWidth,
      stride: info.strideWidth,
      dilation: info.dilationWidth,
      padBefore: left,
      padAfter: right,
    },
  };
  const strided = geometry.height.stride > 1 || geometry.width.stride > 1;
  const dilated = geometry.height.dilation > 1 || geometry.width.dilation > 1;
  if (strided && dilated) {
    // tfjs' conv ops and gradients reject this too; only a direct runKernel call can get here.
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `${kernelName}: strides and dilations cannot both exceed 1 (got strides ${String(attrs.strides)}, dilations ${String(attrs.dilations)})`,
      details: { kernel: kernelName },
    });
  }
  return geometry;
}
