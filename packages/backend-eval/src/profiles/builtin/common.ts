import type { ProfileSource, TensorGrid } from '../types.js';

/** The ONNX op set built-in op coverage lists are written over. */
export const CORE_ONNX_OPS = [
  'Conv',
  'Gemm',
  'MatMul',
  'Add',
  'Mul',
  'Relu',
  'Clip',
  'Sigmoid',
  'HardSwish',
  'Softmax',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Flatten',
  'Reshape',
  'Transpose',
  'Concat',
  'BatchNormalization',
] as const;

/** A grid literal; range defaults to full, granularity to per-tensor, scale to float32. */
export function grid(fields: Pick<TensorGrid, 'bits' | 'signed' | 'symmetric' | 'rounding'> & Partial<TensorGrid>): TensorGrid {
  return { range: 'full', granularity: 'per-tensor', scale: 'float32', ...fields };
}

export const PER_CHANNEL = { kind: 'per-channel' } as const;

/** float32 machine epsilon, AIMET's minimum scale. */
export const F32_EPS = 2 ** -23;

/** The references of docs/backends.md#references, by key. */
const REFERENCES = {
  TRT1: 'https://docs.nvidia.com/deeplearning/tensorrt/latest/inference-library/quantized-types-schemes.html',
  TRT5: 'https://docs.nvidia.com/deeplearning/tensorrt/latest/_static/c-api/class_i_int8_entropy_calibrator2.html',
  TRT9: 'https://forums.developer.nvidia.com/t/the-threshold-of-quantization/112662',
  TRT10: 'https://forums.developer.nvidia.com/t/tensorrt-entropy-calibration-pseudocode/108185',
  TRT15: 'https://github.com/NVIDIA/TensorRT/blob/1637a26ebea4/tools/pytorch-quantization/pytorch_quantization/calib/histogram.py',
  TRT18: 'https://mqbench.readthedocs.io/en/latest/user_guide/hardware/tensorrt.html',
  TRT19: 'http://on-demand.gputechconf.com/gtc/2017/presentation/s7310-8-bit-inference-with-tensorrt.pdf',
  TFL1: 'https://www.tensorflow.org/lite/performance/quantization_spec',
  TFL2: 'https://www.tensorflow.org/lite/performance/post_training_quantization',
  TFL3: 'https://www.tensorflow.org/lite/performance/post_training_integer_quant_16x8',
  TFL4: 'https://github.com/tensorflow/tensorflow/blob/342e577aa4e9/tensorflow/lite/kernels/internal/cppmath.h',
  TFL6: 'https://github.com/tensorflow/tensorflow/blob/0866b7a759f1/tensorflow/lite/tools/optimize/calibration/calibration_logger.cc',
  TFL7: 'https://github.com/tensorflow/tensorflow/blob/master/tensorflow/compiler/mlir/lite/quantization/numerical_utils.cc',
  TFL8: 'https://github.com/tensorflow/tensorflow/blob/master/tensorflow/lite/kernels/internal/common.cc',
  TFL9: 'https://github.com/tensorflow/model-optimization/pull/1256',
  ETPU1: 'https://coral.ai/docs/edgetpu/models-intro/',
  ETPU3: 'https://github.com/google-coral/edgetpu/issues/594',
  ETPU4: 'https://github.com/google-coral/edgetpu/issues/663',
  QC2: 'http://www.useful-ai.xyz/2021/06/snpe-quantization-algorithm.html',
  QC3: 'https://developer.qualcomm.com/docs/snpe/snapdragon_npe_runtime.html',
  QC4: 'https://docs.qualcomm.com/bundle/publicresource/80-63442-50/topics/hta_backend.md',
  QC5: 'https://apigwx-aws.qualcomm.com/qsc/public/v1/api/download/software/sdks/Qualcomm_AI_Runtime_Community/All/2.39.0.250926/v2.39.0.250926.zip',
  QC7: 'https://github.com/quic/aimet/blob/0316a445f2a9/TrainingExtensions/torch/src/python/aimet_torch/v2/quantization/encoding_analyzer.py',
  QC8: 'https://github.com/quic/aimet/blob/17bcc525d618/TrainingExtensions/common/src/python/aimet_common/quantsim_config/default_config_per_channel.json',
  QC10: 'https://blog.csdn.net/Hunter_Murphy/article/details/126672207',
  QC11: 'https://github.com/microsoft/onnxruntime/pull/17015',
  HL1: 'https://hailo.ai/support-lesson/hailo-quantization-scheme-2/',
  HL2: 'https://community.hailo.ai/t/16-bit-quantization/18395',
  HL3: 'https://community.hailo.ai/t/equalization-for-non-first-order-homogeneous-activation-functions/1671',
  HL5: 'https://github.com/hailo-ai/hailo_model_zoo/blob/a9091e91638a/docs/OPTIMIZATION.md',
  HL6: 'https://github.com/hailo-ai/Hailo-Application-Code-Examples/issues/280',
  HL7: 'https://github.com/ultralytics/ultralytics/pull/25231',
  HL8: 'https://github.com/ultralytics/ultralytics/pull/25687',
  HL10: 'https://developer.ridgerun.com/wiki/index.php/Hailo/Hailo-8/AI_Software_and_Tools/Hailo_Model_Scripts',
  RK1: 'https://github.com/airockchip/rknn-toolkit2/blob/42aa1d426c0a/CHANGELOG.md',
  RK2: 'http://mrgr.cn/news/96632.html',
  RK3: 'https://github.com/OpenPPL/ppq/blob/e39eecb9f7e5/ppq/quantization/quantizer/RKNNQuantizer.py',
  VAI1: 'https://docs.amd.com/r/en-US/ug1414-vitis-ai/Quantizing-with-Float-Scale',
  VAI3: 'https://docs.amd.com/r/1.2-English/ug1414-vitis-ai/Vitis-AI-Quantizer-Flow',
  VAI4: 'https://docs.amd.com/r/1.4.1-English/ug1414-vitis-ai/Supported-Operators-and-DPU-Limitations',
  VAI6: 'https://github.com/ModelTC/MQBench/blob/791d4449c49f/docs/source/user_guide/hardware/vitis.rst',
  VAI7: 'https://github.com/OpenPPL/ppq/blob/e39eecb9f7e5/ppq/quantization/quantizer/FPGAQuantizer.py',
  VAI8: 'https://quark.docs.amd.com/latest/onnx/config/calibration_methods.html',
  OV3: 'https://github.com/openvinotoolkit/nncf/blob/00c8d12f084b/nncf/quantization/quantize_model.py',
  OV4: 'https://github.com/openvinotoolkit/nncf/blob/develop/nncf/quantization/algorithms/min_max/algorithm.py',
  OV5: 'https://docs.openvino.ai/2023.3/pot_saturation_issue.html',
  OV6: 'https://github.com/openvinotoolkit/nncf/blob/develop/nncf/quantization/advanced_parameters.py',
  OV7: 'https://docs.openvino.ai/2022.1/openvino_docs_MO_DG_prepare_model_convert_model_IR_suitable_for_INT8_inference.html',
  OV9: 'https://github.com/openvinotoolkit/nncf/blob/develop/nncf/quantization/fake_quantize.py',
  ORT1: 'https://onnxruntime.ai/docs/performance/model-optimizations/quantization.html',
  ORT3: 'https://github.com/microsoft/onnxruntime/blob/main/onnxruntime/python/tools/quantization/quant_utils.py',
  ORT4: 'https://github.com/microsoft/onnxruntime/blob/main/onnxruntime/python/tools/quantization/quantize.py',
  ORT6: 'https://onnx.ai/onnx/operators/onnx__DynamicQuantizeLinear.html',
  ORT13: 'https://github.com/microsoft/onnxruntime/blob/main/onnxruntime/core/util/qmath.h',
  CML2: 'https://apple.github.io/coremltools/source/coremltools.optimize.coreml.config.html',
  CML3: 'https://apple.github.io/coremltools/docs-guides/source/opt-quantization-api.html',
  CML4: 'https://apple.github.io/coremltools/source/coremltools.optimize.coreml.palettization.html',
  CML7: 'https://apple.github.io/coreai-optimization/api/generated/coreai_opt.quantization.QuantizerConfig.presets.w4_per_block.html',
} as const;

export type ReferenceKey = keyof typeof REFERENCES;

/** `sources` entries for the given reference keys (docs/backends.md#references). */
export function refs(...keys: ReferenceKey[]): ProfileSource[] {
  return keys.map((id) => ({ id, url: REFERENCES[id] }));
}
