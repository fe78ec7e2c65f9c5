// Type tests of the registry's plugin API (checked by `tsc`, run by `npm run typecheck`).
import {
  type Calibrator,
  type CalibratorOptionsFor,
  type SchemeName,
  type SchemeOptionsFor,
  createRegistry,
  defineCalibrator,
  defineScheme,
} from '@quant-trim/quant-grid';
import { describe, expectTypeOf, it } from 'vitest';

declare module '@quant-trim/quant-grid' {
  interface SchemeRegistry {
    'typed-int6': { headroom?: number };
  }
}

declare const lastValue: Calibrator<{ last?: boolean }>;

describe('registry names and options', () => {
  it('built-in and declared plugin names type their options; any other string is accepted with unknown options', () => {
    expectTypeOf<SchemeOptionsFor<'typed-int6'>>().toEqualTypeOf<{ headroom?: number }>();
    expectTypeOf<SchemeOptionsFor<'int8-sym-per-channel'>>().toHaveProperty('axis');
    expectTypeOf<SchemeOptionsFor<'from-a-config-file'>>().toBeUnknown();
    expectTypeOf<CalibratorOptionsFor<'entropy'>>().toHaveProperty('bins');
    expectTypeOf<'int4-sym-per-group'>().toExtend<SchemeName>();
    expectTypeOf<string>().toExtend<SchemeName>();
  });

  it('lookups check the options of known names', () => {
    const registry = createRegistry();
    registry.scheme('int4-sym-per-group', { groupSize: 16 });
    registry.scheme('typed-int6', { headroom: 0.1 });
    // @ts-expect-error: groupSize is a number
    registry.scheme('int4-sym-per-group', { groupSize: '16' });
    // @ts-expect-error: headroom is a number
    registry.scheme('typed-int6', { headroom: 'wide' });
    const name: string = 'read-from-json';
    expectTypeOf(registry.scheme).toBeCallableWith(name, { anything: true });
  });

  it('define* return their definition with its options type', () => {
    const scheme = defineScheme<{ headroom?: number }>({ name: 'typed-int6', create: () => ({ bits: 6 }) });
    expectTypeOf(scheme.create).parameter(0).toEqualTypeOf<{ headroom?: number }>();
    const calibrator = defineCalibrator<{ last?: boolean }>({ name: 'typed-last', create: () => lastValue });
    expectTypeOf(calibrator.create).parameter(0).toEqualTypeOf<{ last?: boolean } | undefined>();
  });
});
