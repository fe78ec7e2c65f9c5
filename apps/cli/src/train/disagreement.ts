import type * as tf from '@tensorflow/tfjs';
import { calibratorDisagreementOf, quantizeModel, stripQuantization, type QuantizedModel } from '@quant-trim/fake-quant';
import type { TensorDisagreement } from '../report/types.js';

/**
 * The calibrator disagreement (quant-grid's `calibratorDisagreement`: min/max, mean min/max,
 * percentile, entropy, MSE, SQNR, power-of-two) of every activation tensor the deployed float model
 * feeds a backend, on the batch `x`. Quantized methods are probed at λ = 0 with their deployed clamps
 * (the stripped model's tensors); a float-only model (FP) is probed through activation quantization
 * points placed on its stripped float model with the `activations` grid, so every method is
 * measured on the same tensors. Sorted by ratio, largest first.
 */
export function tensorDisagreements(quantized: QuantizedModel, x: tf.Tensor, activations: string): TensorDisagreement[] {
  let probe = quantized;
  let owned: { dispose(): void }[] = [];
  if (quantized.fakeQuantLayers().length === 0) {
    const float = stripQuantization(quantized).model;
    probe = quantizeModel(float, { weights: false, activations, overrides: [{ pattern: 'softmax', exclude: true }] });
    owned = [probe, float];
  }
  try {
    return calibratorDisagreementOf(probe, x, { lambda: 0 })
      .map((a): TensorDisagreement => {
        const narrow = a.disagreement.choices.find((c) => c.method === a.disagreement.narrowest);
        return {
          layer: a.layer,
          ratio: a.disagreement.ratio,
          widest: a.disagreement.widest,
          narrowest: a.disagreement.narrowest,
          clippedByNarrowest: narrow?.clipped ?? 0,
        };
      })
      .sort((a, b) => b.ratio - a.ratio);
  } finally {
    for (const o of owned) o.dispose();
  }
}
