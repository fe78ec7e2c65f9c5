import type { NamedRegistry } from '@quant-trim/internal';
import type { ScheduleDefinition } from './defineSchedule.js';
import { clampDefinition } from './schedules/clamp.js';
import { constantDefinition } from './schedules/constant.js';
import { cosineDefinition } from './schedules/cosine.js';
import { exponentialDefinition } from './schedules/exponential.js';
import { linearDefinition } from './schedules/linear.js';
import { multistepDefinition } from './schedules/multistep.js';
import { piecewiseDefinition } from './schedules/piecewise.js';
import { polynomialDefinition } from './schedules/polynomial.js';
import { productDefinition } from './schedules/product.js';
import { quantTrimCurriculumDefinition } from './schedules/quantTrimCurriculum.js';
import { scaleDefinition } from './schedules/scale.js';
import { sequenceDefinition } from './schedules/sequence.js';
import { stepDefinition } from './schedules/step.js';
import { warmupDefinition } from './schedules/warmup.js';
import type { BuiltinScheduleName } from './types.js';

/** One definition per key of `BuiltinSchedules`; the mapped type makes a missing one a type error. */
const builtinDefinitions: { readonly [K in BuiltinScheduleName]: ScheduleDefinition } = {
  constant: constantDefinition,
  linear: linearDefinition,
  cosine: cosineDefinition,
  polynomial: polynomialDefinition,
  exponential: exponentialDefinition,
  step: stepDefinition,
  multistep: multistepDefinition,
  piecewise: piecewiseDefinition,
  warmup: warmupDefinition,
  clamp: clampDefinition,
  sequence: sequenceDefinition,
  product: productDefinition,
  scale: scaleDefinition,
  quantTrimCurriculum: quantTrimCurriculumDefinition,
};

/**
 * Registers every built-in schedule on `registry`, so `fromJSON` can rebuild them. Importing
 * this package registers nothing by itself; `createScheduleRegistry()` calls this unless asked
 * for an empty registry. Registering twice is a no-op (the definitions are the same objects).
 *
 * @example
 * const registry = createScheduleRegistry({ builtins: false });
 * registerBuiltinSchedules(registry);
 */
export function registerBuiltinSchedules(registry: NamedRegistry<ScheduleDefinition>): void {
  for (const definition of Object.values(builtinDefinitions)) registry.register(definition);
}
