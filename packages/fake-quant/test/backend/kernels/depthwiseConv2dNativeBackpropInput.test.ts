import { beforeAll, describe, it } from 'vitest';
import { convCases, depthwiseGradient, describeCase, expectGradientsClose, OURS, referenceCase, setUpBackends } from '../gradientCheck.testkit.js';

describe('DepthwiseConv2dNativeBackpropInput', () => {
  beforeAll(setUpBackends);

  const cases = convCases({ dilated: true });

  it(`matches the stock cpu reference over ${cases.length} shapes, strides, paddings, dilations and multipliers`, async () => {
    for (const [i, c] of cases.entries()) {
      const expected = await depthwiseGradient('cpu-stock', referenceCase(c, true), 700 + i, 'x');
      for (const target of OURS) {
        expectGradientsClose(await depthwiseGradient(target, c, 700 + i, 'x'), expected, `${target} ${describeCase(c)}`);
      }
    }
  });
});
