import { syntheticDigits } from '@quant-trim/test-utils';
import type { Dataset } from '../../src/data/types.js';

/** A `Dataset` of seeded synthetic digits (size × size × 1, 10 classes): `train` and `test` images, seeds 1 and 2. */
export function syntheticDataset(train: number, test: number, size: number): Dataset {
  const a = syntheticDigits(train, { seed: 1, size });
  const b = syntheticDigits(test, { seed: 2, size });
  return {
    name: 'synthetic',
    source: 'test',
    sampleShape: [size, size, 1],
    classes: 10,
    train: { x: a.pixels, y: Uint8Array.from(a.labels), count: train },
    test: { x: b.pixels, y: Uint8Array.from(b.labels), count: test },
  };
}
