import * as tf from '../tf.js';
import { type CalibratorDisagreement, type CalibratorDisagreementOptions, calibratorDisagreement } from '@quant-trim/quant-grid';
import { QuantTrimError } from '@quant-trim/errors';
import type { ClampBounds } from '../activations/tailTrim.js';
import type { FakeQuant } from '../model/layers/FakeQuant.js';
import type { QuantizedModel } from '../model/QuantizedModel.js';

export interface CalibratorDisagreementOfOptions extends Pick<CalibratorDisagreementOptions, 'methods' | 'bins' | 'registry'> {
  /**
   * λ the probe runs at. Default 0: the float model backends calibrate (with the deployed tail-trim
   * clamps upstream, as in the stripped model); 1 = the fake-quantized model.
   */
  lambda?: number;
  /** Apply each point's own deployed clamp to what it captured, as the deployed float model does. Default true. */
  deployedClamp?: boolean;
}

/** The diagnostic of one activation quantization point. */
export interface ActivationDisagreement {
  /** The FakeQuant layer. */
  layer: string;
  /** Shape of the captured tensor (batch first). */
  shape: number[];
  /** The deployed clamp applied to the captured values, if any. */
  clamp: ClampBounds | undefined;
  disagreement: CalibratorDisagreement;
}

/**
 * How far backends' calibrators would disagree about each activation tensor of a quantized model
 * on the batch `x`: a probe model with one extra output per activation quantizer captures its
 * input (at λ = 0 by default, so the tensors are the deployed float model's), each point's
 * deployed tail-trim clamp is applied (as the stripped model applies it), and quant-grid's
 * `calibratorDisagreement` runs on the values with the point's scheme (per-sample mean-minmax uses
 * the batch axis). λ is restored afterwards.
 *
 * @example
 * for (const a of calibratorDisagreementOf(q, xCalib)) console.log(a.layer, a.disagreement.ratio.toFixed(2));
 */
export function calibratorDisagreementOf(
  quantized: QuantizedModel,
  x: tf.Tensor | tf.Tensor[],
  options: CalibratorDisagreementOfOptions = {},
): ActivationDisagreement[] {
  const lambda = options.lambda ?? 0;
  if (typeof lambda !== 'number' || !(lambda >= 0 && lambda <= 1)) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `calibratorDisagreementOf: options.lambda: expected a number in [0, 1], got ${JSON.stringify(lambda)}`,
      details: { field: 'options.lambda' },
    });
  }
  const model = quantized.model;
  const points = quantized.fakeQuantLayers();
  if (points.length === 0) return [];
  const inputs = model.inputs;
  const xs = Array.isArray(x) ? x : [x];
  if (xs.length !== inputs.length) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `calibratorDisagreementOf: x: the model has ${inputs.length} input(s), got ${xs.length} tensor(s)`,
      details: { field: 'x' },
    });
  }
  // A point sitting on a model input captures the batch itself; the others become probe outputs.
  const captured = points.map((layer) => layer.input as tf.SymbolicTensor);
  const outputs = captured.filter((t) => !inputs.includes(t));
  const previous = quantized.state.lambdaValue;
  quantized.state.setLambda(lambda);
  let values: tf.Tensor[];
  try {
    const probe = outputs.length === 0 ? undefined : tf.model({ inputs, outputs });
    const result = probe === undefined ? [] : probe.predict(xs.length === 1 ? xs[0]! : xs);
    values = Array.isArray(result) ? result : [result];
  } finally {
    quantized.state.setLambda(previous);
  }
  try {
    let k = 0;
    return points.map((layer: FakeQuant, i) => {
      const t = captured[i]!;
      const at = inputs.indexOf(t);
      const tensor = at >= 0 ? xs[at]! : values[k++]!;
      const clamp = options.deployedClamp === false ? undefined : layer.deployedClamp();
      const data = Float32Array.from(tensor.dataSync());
      if (clamp !== undefined) for (let j = 0; j < data.length; j++) data[j] = Math.min(Math.max(data[j]!, clamp.min), clamp.max);
      const disagreement = calibratorDisagreement(data, layer.scheme, {
        shape: tensor.shape,
        ...(options.methods !== undefined ? { methods: options.methods } : {}),
        ...(options.bins !== undefined ? { bins: options.bins } : {}),
        ...(options.registry !== undefined ? { registry: options.registry } : {}),
      });
      return { layer: layer.name, shape: [...tensor.shape], clamp, disagreement };
    });
  } finally {
    tf.dispose(values);
  }
}
