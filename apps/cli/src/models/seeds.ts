import * as tf from '@tensorflow/tfjs';

/**
 * Kernel initializers seeded from one model seed: the k-th initializer (k = 1, 2, …, in layer
 * order) gets seed `seed * 1000 + k`, so the same seed builds identical weights and different
 * seeds different ones. With seed 0 the reference CNN gets seeds 1, 2, 3, exactly the model of
 * `packages/backend-eval/bench`.
 */
export class KernelSeeds {
  private k = 0;

  constructor(private readonly seed: number) {}

  /** The next initializer seed. */
  next(): number {
    this.k++;
    return this.seed * 1000 + this.k;
  }

  /** A Glorot-uniform initializer (tfjs's default kernel initializer) with the next seed. */
  glorot(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform({ seed: this.next() });
  }
}

/**
 * Momentum of the BatchNorm moving statistics in the built-in BN models: 0.9 (PyTorch's default
 * of 0.1 in its convention) rather than tfjs' 0.99, so the statistics a deployed model folds track
 * the trained network within a few dozen steps, also in the short runs of the demo and the tests
 * (at 0.99, 126 steps leave 28 % of the initial mean 0 / variance 1 in them).
 */
export const BN_MOMENTUM = 0.9;
