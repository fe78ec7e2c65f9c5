import { fail, show } from './checks.js';
import type { BackendProfile, TensorGrid } from './types.js';
import { gridCodes } from './validateGrid.js';

/** True when activations stay in floating point (weight-only profiles). */
function hasFloatActivations(profile: BackendProfile): boolean {
  return 'kind' in profile.activations;
}

/** Rules between fields, run after every field is individually valid. */
export function validateCrossFields(profile: BackendProfile, root: string): void {
  const at = (field: string) => `${root}.${field}`;
  const floatActs = hasFloatActivations(profile);
  const method = profile.calibration.method;

  if (floatActs) {
    if (profile.weights === null) fail(at('weights'), 'a profile with float activations quantizes weights only; weights cannot be null');
    if (profile.bias !== null) fail(at('bias'), `a weight-only profile (float activations) keeps float biases; expected null, got ${show(profile.bias)}`);
    if (profile.activationMode !== 'static') fail(at('activationMode'), "float activations have no scaling mode; expected 'static'");
    if (method !== 'none') fail(at('calibration.method'), `float activations need no calibration; expected 'none', got ${show(method)}`);
    for (const field of ['fixedOutput', 'sharedScale', 'fusedActivations', 'minRange'] as const) {
      if (profile[field] !== undefined) fail(at(field), 'only meaningful for quantized activations; remove it from a weight-only profile');
    }
  } else {
    if (profile.bias === null && profile.activationMode === 'static') {
      fail(at('bias'), 'static integer activations need an integer bias spec (only dynamic profiles add biases in float)');
    }
    if (profile.activationMode === 'dynamic' && method !== 'none') {
      fail(at('calibration.method'), `dynamic activations are scaled per inference; expected 'none', got ${show(method)}`);
    }
    if (profile.activationMode === 'static' && method === 'none') {
      fail(at('calibration.method'), "static activations need a calibrator; 'none' is only for dynamic or float activations");
    }
    const activations = profile.activations as TensorGrid;
    if (profile.fixedOutput !== undefined) {
      const [qmin, qmax] = gridCodes(activations);
      for (const [op, params] of Object.entries(profile.fixedOutput)) {
        if (params.zeroPoint < qmin || params.zeroPoint > qmax) {
          fail(at(`fixedOutput.${op}.zeroPoint`), `expected an integer in the activation grid ${qmin}..${qmax}, got ${params.zeroPoint}`);
        }
      }
    }
  }

  if (profile.weights === null && profile.mixedPrecision !== undefined) fail(at('mixedPrecision'), 'weights are not quantized (weights: null)');
  if (profile.mixedPrecision !== undefined && profile.weights !== null && !profile.mixedPrecision.weightBits.includes(profile.weights.bits)) {
    fail(at('mixedPrecision.weightBits'), `must include weights.bits (${profile.weights.bits}), got ${show(profile.mixedPrecision.weightBits)}`);
  }
  if (profile.fallback.policy === 'single-cut' && profile.ops.supported.length === 0) {
    fail(at('ops.supported'), 'a single-cut fallback cuts at the first unsupported op; list the supported ops');
  }
  for (const field of Object.keys(profile.evidence)) {
    if (!resolves(profile, field)) fail(at(`evidence.${field}`), `names no field of this profile (expected a dotted path such as 'activations.rounding')`);
  }
}

function resolves(profile: BackendProfile, dotted: string): boolean {
  let node: unknown = profile;
  for (const key of dotted.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== undefined;
}
