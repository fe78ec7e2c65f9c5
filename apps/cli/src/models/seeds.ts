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
