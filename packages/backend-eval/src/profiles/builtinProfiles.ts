import { coremlWeightOnly } from './builtin/coremlWeightOnly.js';
import { edgetpuStrict } from './builtin/edgetpuStrict.js';
import { hailo8W4a8 } from './builtin/hailo8W4a8.js';
import { openvinoNncfPerf } from './builtin/openvinoNncfPerf.js';
import { ortDynamicU8s8 } from './builtin/ortDynamicU8s8.js';
import { qnnHtpW8a16, qnnHtpW8a8Tfe } from './builtin/qnnHtp.js';
import { rknnMmse } from './builtin/rknnMmse.js';
import { tflite16x8 } from './builtin/tflite16x8.js';
import { tfliteInt8 } from './builtin/tfliteInt8.js';
import { trtInt8Entropy } from './builtin/trtInt8Entropy.js';
import { vitisDpuPow2 } from './builtin/vitisDpuPow2.js';

/** The 12 profiles of docs/backends.md#the-built-in-profiles, validated and frozen, keyed by id (P1–P12 order). */
export const builtinProfiles = Object.freeze({
  'trt-int8-entropy': trtInt8Entropy,
  'tflite-int8': tfliteInt8,
  'tflite-16x8': tflite16x8,
  'edgetpu-strict': edgetpuStrict,
  'qnn-htp-w8a8-tfe': qnnHtpW8a8Tfe,
  'qnn-htp-w8a16': qnnHtpW8a16,
  'hailo8-w4a8': hailo8W4a8,
  'rknn-mmse': rknnMmse,
  'vitis-dpu-pow2': vitisDpuPow2,
  'openvino-nncf-perf': openvinoNncfPerf,
  'ort-dynamic-u8s8': ortDynamicU8s8,
  'coreml-weight-only': coremlWeightOnly,
});
