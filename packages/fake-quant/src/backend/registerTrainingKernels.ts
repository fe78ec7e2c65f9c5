import { findBackendFactory, getKernel, registerKernel, unregisterKernel } from '../tf.js';
import type { KernelConfig } from '../tf.js';
import { QuantTrimError } from '@quant-trim/errors';
import { createConv2DBackpropFilterConfig } from './kernels/conv2DBackpropFilter.js';
import { createConv2DBackpropInputConfig } from './kernels/conv2DBackpropInput.js';
import { createDepthwiseConv2dNativeBackpropFilterConfig } from './kernels/depthwiseConv2dNativeBackpropFilter.js';
import { createDepthwiseConv2dNativeBackpropInputConfig } from './kernels/depthwiseConv2dNativeBackpropInput.js';
import { createMaxPoolGradConfig } from './kernels/maxPoolGrad.js';
import { createTileConfig } from './kernels/tile.js';

/** The backends our kernels are built for and tested on. */
export const TRAINING_KERNEL_BACKENDS = ['wasm', 'cpu'] as const;
export type TrainingKernelBackend = (typeof TRAINING_KERNEL_BACKENDS)[number];

type KernelFactory = (backendName: string, original?: KernelConfig) => KernelConfig;

/** Kernel name → factory of our config, given the config it replaces (if any). */
const FACTORIES: ReadonlyArray<readonly [string, KernelFactory]> = [
  ['Conv2DBackpropFilter', createConv2DBackpropFilterConfig],
  ['Conv2DBackpropInput', createConv2DBackpropInputConfig],
  ['DepthwiseConv2dNativeBackpropFilter', createDepthwiseConv2dNativeBackpropFilterConfig],
  ['DepthwiseConv2dNativeBackpropInput', createDepthwiseConv2dNativeBackpropInputConfig],
  ['MaxPoolGrad', createMaxPoolGradConfig],
  ['Tile', createTileConfig],
];

/**
 * Marks the configs this package installs and remembers, on each config itself, the one it
 * replaced. tfjs keeps ONE kernel registry per process, so whatever we install there is global
 * state anyway; keeping the bookkeeping in those entries (instead of a registry of our own) makes
 * registration idempotent even across duplicate copies of this package. Non-enumerable, so a
 * `{ ...config }` copy made by someone else is not mistaken for ours.
 */
const REPLACED = Symbol.for('@quant-trim/fake-quant:replaced-kernel');

interface TrainingKernelConfig extends KernelConfig {
  readonly [REPLACED]: KernelConfig | null;
}

function isTrainingKernel(config: KernelConfig | undefined): config is TrainingKernelConfig {
  return config !== undefined && Object.hasOwn(config, REPLACED);
}

/**
 * Registers the training kernels for `backendName` ('wasm' or 'cpu'): `Conv2DBackpropFilter`,
 * `Conv2DBackpropInput`, `DepthwiseConv2dNativeBackpropFilter`, `DepthwiseConv2dNativeBackpropInput`
 * and `MaxPoolGrad`, the conv ones built from forward kernels the backend already has (XNNPACK
 * convs on wasm). Use it when you select the backend yourself; `initTrainingBackend` calls it.
 *
 * Idempotent: kernels already installed are left alone. A kernel the backend already has is
 * replaced without tfjs' duplicate-registration warning, and its `setupFunc` is kept (on wasm it
 * binds the kernel's wasm export, which the original kernel needs if it is used as a fallback or
 * restored).
 *
 * @returns the names of the kernels now served by this package on that backend.
 * @example
 * await tf.setBackend('wasm');
 * registerTrainingKernels('wasm'); // ['Conv2DBackpropFilter', 'Conv2DBackpropInput', ...]
 */
export function registerTrainingKernels(backendName: string): readonly string[] {
  assertSupportedBackend(backendName);
  for (const [kernelName, factory] of FACTORIES) {
    const current = getKernel(kernelName, backendName) as KernelConfig | undefined;
    if (isTrainingKernel(current)) continue;
    const config = factory(backendName, current);
    Object.defineProperty(config, REPLACED, { value: current ?? null, enumerable: false });
    if (current !== undefined) unregisterKernel(kernelName, backendName);
    registerKernel(config);
  }
  return FACTORIES.map(([kernelName]) => kernelName);
}

/**
 * Removes the kernels `registerTrainingKernels` installed on `backendName` and restores what was
 * registered before (tfjs' own kernels). Kernels someone replaced since are left alone.
 *
 * @returns the names of the kernels removed.
 */
export function unregisterTrainingKernels(backendName: string): readonly string[] {
  const removed: string[] = [];
  for (const [kernelName] of FACTORIES) {
    const current = getKernel(kernelName, backendName) as KernelConfig | undefined;
    if (!isTrainingKernel(current)) continue;
    unregisterKernel(kernelName, backendName);
    if (current[REPLACED] !== null) registerKernel(current[REPLACED]);
    removed.push(kernelName);
  }
  return removed;
}

function assertSupportedBackend(backendName: string): asserts backendName is TrainingKernelBackend {
  if (!(TRAINING_KERNEL_BACKENDS as readonly string[]).includes(backendName)) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`backendName\` of \`registerTrainingKernels\`: expected one of ${TRAINING_KERNEL_BACKENDS.map((b) => `'${b}'`).join(', ')}, got '${backendName}'`,
      details: { argument: 'backendName', value: backendName },
    });
  }
  if ((findBackendFactory(backendName) as unknown) == null) {
    throw new QuantTrimError({
      code: 'QT_BACKEND_UNAVAILABLE',
      message: `argument \`backendName\` of \`registerTrainingKernels\`: backend '${backendName}' is not registered with tfjs; import its package first (or use initTrainingBackend)`,
      details: { argument: 'backendName', value: backendName },
    });
  }
}
