import type { DeviceSpec, HostSpec } from './types.js';

/**
 * Datasheet figures of the devices the built-in profiles deploy to. `tops` is
 * always the dense INT8 peak; figures marked "derived" are computed from published clocks and
 * unit counts (formula in the source text), "uncertain" ones are estimates or unconfirmed prices.
 * Checked against public pages where noted ("checked"); the rest are as published by the vendor
 * at the URL and were not re-checked here.
 */

/** Raspberry Pi 5 CPU (4× Cortex-A76 at 2.4 GHz) figures, also used for float fallback of Pi-hosted accelerators. */
const PI5_CPU_FLOAT = { float16: 0.307, float32: 0.154 } as const;
const PI5_CPU_FLOAT_SOURCE =
  'https://www.raspberrypi.com/products/raspberry-pi-5/ — derived: 4 cores × 2.4 GHz × 2 NEON pipes × 128-bit FMA = 16 fp32 / 32 fp16 FLOPs per cycle per core → 0.154 TFLOPS fp32, 0.307 fp16 (peak; uncertain)';

/** The Raspberry Pi 5 CPU as the host of a USB / PCIe accelerator: TFLite's CPU kernels run what the accelerator does not. */
const PI5_HOST: HostSpec = {
  name: 'Raspberry Pi 5 CPU, 4× Cortex-A76',
  tops: 0.614,
  precisionTops: { ...PI5_CPU_FLOAT },
  memoryGBps: 17.1,
  source: 'https://www.raspberrypi.com/products/raspberry-pi-5/',
  sources: {
    tops: 'https://www.raspberrypi.com/products/raspberry-pi-5/ — derived: 4 cores × 2.4 GHz × 2 NEON pipes × 16 int8 MACs per SDOT × 2 ops → 0.614 TOPS peak (uncertain)',
    precisionTops: PI5_CPU_FLOAT_SOURCE,
    memoryGBps: 'https://www.raspberrypi.com/products/raspberry-pi-5/ — derived: LPDDR4X-4267 on a 32-bit bus → 17.1 GB/s (uncertain)',
  },
};

/** Source text of an invocation overhead no vendor publishes: the value is our assumption, said so. */
const assumedOverhead = (url: string, what: string, ms: number) =>
  `${url} — no published figure; ${ms} ms per invocation is an assumption for ${what} (uncertain)`;

const freezeFigures = <T extends { precisionTops?: object; sources?: object }>(d: T): T =>
  Object.freeze({
    ...d,
    ...(d.precisionTops ? { precisionTops: Object.freeze({ ...d.precisionTops }) } : {}),
    ...(d.sources ? { sources: Object.freeze({ ...d.sources }) } : {}),
  });
const freezeDevice = (d: DeviceSpec): DeviceSpec => freezeFigures({ ...d, ...(d.host ? { host: freezeFigures(d.host) } : {}) });

/** P1 trt-int8-entropy: NVIDIA Jetson Orin Nano Super Developer Kit (8 GB, JetPack 6.1 "super" clocks). */
export const JETSON_ORIN_NANO_SUPER = freezeDevice({
  name: 'NVIDIA Jetson Orin Nano Super Developer Kit (8 GB)',
  tops: 33.5,
  precisionTops: { float16: 16.75, float32: 2.09 },
  watts: 25,
  priceUsd: 249,
  memoryGBps: 102,
  overheadMs: 0.1,
  source: 'https://www.nvidia.com/en-us/autonomous-machines/embedded-systems/jetson-orin/nano-super-developer-kit/',
  sources: {
    overheadMs: assumedOverhead(
      'https://docs.nvidia.com/deeplearning/tensorrt/latest/performance/optimization.html',
      'enqueueing a small engine and synchronising its CUDA stream (TensorRT notes per-layer launch and synchronisation overhead that batching or CUDA graphs amortise); fp16 fallback layers run on the same GPU',
      0.1,
    ),
    tops: 'https://www.nvidia.com/en-us/autonomous-machines/embedded-systems/jetson-orin/nano-super-developer-kit/ — 67 TOPS is sparse INT8; dense = 67 / 2 = 33.5 (derived; 67 TOPS checked via a third-party summary of the NVIDIA datasheet)',
    precisionTops:
      'https://www.nvidia.com/en-us/autonomous-machines/embedded-systems/jetson-orin/nano-super-developer-kit/ — derived: Ampere tensor-core FP16 dense = ½ INT8 dense → 16.75; FP32 on 1024 CUDA cores × 2 FLOPs × 1.02 GHz → 2.09 TFLOPS',
    watts:
      'https://www.nvidia.com/en-us/autonomous-machines/embedded-systems/jetson-orin/nano-super-developer-kit/ — 7–25 W modes; 25 W (MAXN SUPER) is the mode the 67 TOPS needs (checked, third-party summary)',
    priceUsd:
      'https://www.nvidia.com/en-us/autonomous-machines/embedded-systems/jetson-orin/nano-super-developer-kit/ — USD 249 developer kit, Dec 2024 (checked, third-party summary)',
    memoryGBps:
      'https://www.nvidia.com/en-us/autonomous-machines/embedded-systems/jetson-orin/nano-super-developer-kit/ — 128-bit LPDDR5, 102 GB/s in super mode (68 GB/s before) (checked, third-party summary)',
  },
});

/** P2 tflite-int8, P3 tflite-16x8: TFLite / LiteRT XNNPACK on the Raspberry Pi 5 CPU. */
export const RASPBERRY_PI_5_CPU = freezeDevice({
  name: 'Raspberry Pi 5 (8 GB) CPU, 4× Cortex-A76 (TFLite XNNPACK)',
  tops: 0.614,
  precisionTops: { ...PI5_CPU_FLOAT },
  watts: 7,
  priceUsd: 80,
  memoryGBps: 17.1,
  overheadMs: 0.02,
  source: 'https://www.raspberrypi.com/products/raspberry-pi-5/',
  sources: {
    tops: 'https://www.raspberrypi.com/products/raspberry-pi-5/ — derived: 4 cores × 2.4 GHz × 2 NEON pipes × 16 int8 MACs per SDOT × 2 ops → 0.614 TOPS peak (uncertain)',
    precisionTops: PI5_CPU_FLOAT_SOURCE,
    overheadMs: assumedOverhead(
      'https://ai.google.dev/edge/litert',
      'one TFLite / LiteRT Interpreter invoke on the CPU (float fallback runs on the same cores)',
      0.02,
    ),
    watts:
      'https://www.raspberrypi.com/products/raspberry-pi-5/ — board under full CPU load, about 7 W (uncertain: third-party measurements; Raspberry Pi publishes only the 27 W supply rating)',
    priceUsd: 'https://www.raspberrypi.com/products/raspberry-pi-5/ — USD 80 for 8 GB at launch (not re-checked)',
    memoryGBps: 'https://www.raspberrypi.com/products/raspberry-pi-5/ — derived: LPDDR4X-4267 on a 32-bit bus → 17.1 GB/s (uncertain)',
  },
});

/** P4 edgetpu-strict: Coral USB Accelerator (one Edge TPU), float fallback on a Raspberry Pi 5 host. */
export const CORAL_USB_ACCELERATOR = freezeDevice({
  name: 'Google Coral USB Accelerator (Edge TPU), Raspberry Pi 5 host',
  tops: 4,
  watts: 2,
  priceUsd: 59.99,
  host: PI5_HOST,
  linkGBps: 0.5,
  overheadMs: 0.25,
  source: 'https://coral.ai/docs/accelerator/datasheet/',
  sources: {
    tops: "https://coral.ai/docs/accelerator/datasheet/ — 4 TOPS peak int8 (checked: Coral datasheets); the Edge TPU has no float units: every op after the compiler's cut runs on the host CPU (TFLite kernels)",
    linkGBps:
      'https://coral.ai/docs/accelerator/datasheet/ — USB 3.0 (5 Gb/s); derived: 8b/10b line coding → 0.5 GB/s before protocol overhead (an upper bound; third parties measure about 0.3–0.6 GB/s, uncertain)',
    overheadMs: assumedOverhead(
      'https://coral.ai/docs/accelerator/datasheet/',
      'one Edge TPU invocation over USB (command, completion and their USB round trips)',
      0.25,
    ),
    watts: 'https://coral.ai/docs/accelerator/datasheet/ — "4 TOPS using 2 watts", 2 TOPS per watt (checked: Coral datasheets)',
    priceUsd: 'https://coral.ai/products/accelerator/ — USD 59.99 list price (uncertain: not re-checked; USD 74.99 at its 2019 launch per third-party reports)',
  },
});

/** P5 qnn-htp-w8a8-tfe, P6 qnn-htp-w8a16: Qualcomm Hexagon NPU of the Snapdragon X Elite. */
export const SNAPDRAGON_X_ELITE_NPU = freezeDevice({
  name: 'Qualcomm Snapdragon X Elite Hexagon NPU (Copilot+ laptop)',
  tops: 45,
  watts: 7,
  priceUsd: 999,
  memoryGBps: 135,
  overheadMs: 0.1,
  host: {
    name: 'Snapdragon X Elite Oryon CPU, 12 cores',
    tops: 5.22,
    precisionTops: { float16: 2.61, float32: 1.31 },
    memoryGBps: 135,
    source: 'https://www.qualcomm.com/products/mobile/snapdragon/laptops-and-tablets/snapdragon-x-elite',
    sources: {
      tops: 'https://www.qualcomm.com/products/mobile/snapdragon/laptops-and-tablets/snapdragon-x-elite — derived: 12 cores × 3.4 GHz × 4 128-bit NEON pipes × 16 int8 MACs per SDOT × 2 ops → 5.22 TOPS (uncertain: pipe count from third-party core analyses)',
      precisionTops:
        'https://www.qualcomm.com/products/mobile/snapdragon/laptops-and-tablets/snapdragon-x-elite — derived: 12 × 3.4 GHz × 4 pipes × 4 fp32 lanes × 2 (FMA) → 1.31 TFLOPS fp32, ×2 for fp16 (uncertain)',
      memoryGBps:
        "https://www.qualcomm.com/products/mobile/snapdragon/laptops-and-tablets/snapdragon-x-elite — the CPU shares the NPU's LPDDR5x-8448, 135 GB/s (not re-checked)",
    },
  },
  source: 'https://www.qualcomm.com/products/mobile/snapdragon/laptops-and-tablets/snapdragon-x-elite',
  sources: {
    overheadMs: assumedOverhead(
      'https://www.qualcomm.com/products/mobile/snapdragon/laptops-and-tablets/snapdragon-x-elite',
      'one QNN graph execution on the Hexagon NPU (a remote call from the CPU; ops QNN leaves off the HTP run on the CPU in shared memory, no copy priced)',
      0.1,
    ),
    tops: 'https://www.qualcomm.com/products/mobile/snapdragon/laptops-and-tablets/snapdragon-x-elite — NPU 45 TOPS (checked: third-party reports; taken as INT8, one report calls it INT4 — uncertain). Chosen over Snapdragon 8 Gen 2 because Qualcomm publishes no TOPS for phone SoCs',
    watts:
      'https://www.qualcomm.com/products/mobile/snapdragon/laptops-and-tablets/snapdragon-x-elite — NPU power is not published; 7 W is an assumption (uncertain)',
    priceUsd:
      'https://www.qualcomm.com/products/mobile/snapdragon/laptops-and-tablets/snapdragon-x-elite — no chip price; USD 999, the starting price of Snapdragon X Copilot+ laptops at launch (uncertain)',
    memoryGBps: 'https://www.qualcomm.com/products/mobile/snapdragon/laptops-and-tablets/snapdragon-x-elite — LPDDR5x-8448, 135 GB/s (not re-checked)',
  },
});

/** P7 hailo8-w4a8: Hailo-8 on the Raspberry Pi AI HAT+ (26 TOPS), float fallback on the Pi 5 host. */
export const HAILO_8_AI_HAT = freezeDevice({
  name: 'Hailo-8 (Raspberry Pi AI HAT+ 26 TOPS), Raspberry Pi 5 host',
  tops: 26,
  watts: 2.5,
  priceUsd: 110,
  host: PI5_HOST,
  linkGBps: 0.985,
  overheadMs: 0.2,
  source: 'https://hailo.ai/products/ai-accelerators/hailo-8-ai-accelerator/',
  sources: {
    tops: 'https://hailo.ai/products/ai-accelerators/hailo-8-ai-accelerator/ — 26 TOPS int8 (checked: third-party summaries); Hailo-8 has no float units: graph-cut parts run on the host CPU',
    linkGBps:
      "https://www.raspberrypi.com/documentation/accessories/ai-hat-plus.html — the AI HAT+ connects over the Pi 5's single PCIe lane at Gen 3; derived: 8 GT/s × 128b/130b → 0.985 GB/s (uncertain: before protocol overhead)",
    overheadMs: assumedOverhead(
      'https://hailo.ai/products/ai-accelerators/hailo-8-ai-accelerator/',
      'one HailoRT inference over PCIe (descriptor set-up, interrupt and completion)',
      0.2,
    ),
    watts: 'https://hailo.ai/products/ai-accelerators/hailo-8-ai-accelerator/ — 2.5 W typical (checked: third-party summaries; 8.65 W peak)',
    priceUsd: 'https://www.raspberrypi.com/products/ai-hat/ — USD 110 for the 26 TOPS AI HAT+ (uncertain: not re-checked)',
  },
});

/** P8 rknn-mmse: Rockchip RK3588 NPU (Radxa ROCK 5B, 8 GB). */
export const RK3588_NPU = freezeDevice({
  name: 'Rockchip RK3588 NPU (Radxa ROCK 5B, 8 GB)',
  tops: 6,
  watts: 2.8,
  priceUsd: 129,
  memoryGBps: 34.1,
  overheadMs: 0.3,
  host: {
    name: 'RK3588 CPU, 4× Cortex-A76 at 2.4 GHz (+ 4× A55, not counted)',
    tops: 0.614,
    precisionTops: { ...PI5_CPU_FLOAT },
    memoryGBps: 34.1,
    source: 'https://www.rock-chips.com/a/en/products/RK35_Series/2022/0926/1660.html',
    sources: {
      tops: 'https://www.rock-chips.com/a/en/products/RK35_Series/2022/0926/1660.html — derived as for the Raspberry Pi 5 (same four Cortex-A76 cores at 2.4 GHz): 0.614 TOPS int8 peak (uncertain)',
      precisionTops:
        'https://www.rock-chips.com/a/en/products/RK35_Series/2022/0926/1660.html — derived as for the Raspberry Pi 5: 0.154 TFLOPS fp32, 0.307 fp16 (uncertain)',
      memoryGBps: "https://www.rock-chips.com/a/en/products/RK35_Series/2022/0926/1660.html — the CPU shares the NPU's LPDDR4X, 34.1 GB/s (derived, uncertain)",
    },
  },
  source: 'https://www.rock-chips.com/a/en/products/RK35_Series/2022/0926/1660.html',
  sources: {
    overheadMs: assumedOverhead(
      'https://www.rock-chips.com/a/en/products/RK35_Series/2022/0926/1660.html',
      'one rknn_run call (ops RKNN leaves to the CPU run in shared memory, no copy priced)',
      0.3,
    ),
    tops: 'https://www.rock-chips.com/a/en/products/RK35_Series/2022/0926/1660.html — 6 TOPS int8, 3 cores (checked: third-party summaries)',
    watts:
      'https://www.rock-chips.com/a/en/products/RK35_Series/2022/0926/1660.html — no vendor figure; about 2.8 W running YOLOv5s at 1080p30 per a third-party evaluation (uncertain; board power is higher)',
    priceUsd: 'https://radxa.com/products/rock5/5b/ — about USD 129 for the 8 GB board (uncertain: not re-checked)',
    memoryGBps: 'https://www.rock-chips.com/a/en/products/RK35_Series/2022/0926/1660.html — derived: LPDDR4X-4266 on a 64-bit bus → 34.1 GB/s (uncertain)',
  },
});

/** P9 vitis-dpu-pow2: AMD Kria KV260 with the DPU B3136 overlay of AMD's smart-camera app. */
export const KRIA_KV260_DPU = freezeDevice({
  name: 'AMD Kria KV260 Vision AI Starter Kit, DPU B3136 at 300 MHz',
  tops: 0.92,
  watts: 7.9,
  priceUsd: 249,
  memoryGBps: 19.2,
  utilization: 0.27,
  overheadMs: 0.3,
  host: {
    name: 'Kria K26 Arm Cortex-A53, 4 cores at 1.333 GHz',
    tops: 0.0853,
    precisionTops: { float16: 0.0213, float32: 0.0213 },
    memoryGBps: 19.2,
    source: 'https://www.amd.com/en/products/system-on-modules/kria/k26/kv260-vision-starter-kit.html',
    sources: {
      tops: 'https://www.amd.com/en/products/system-on-modules/kria/k26/kv260-vision-starter-kit.html — derived: 4 cores × 1.333 GHz × 8 int8 MACs per cycle (64-bit NEON datapath) × 2 ops → 0.085 TOPS (uncertain)',
      precisionTops:
        'https://www.amd.com/en/products/system-on-modules/kria/k26/kv260-vision-starter-kit.html — the DPU has no float; float ops run on 4× Cortex-A53 at 1.333 GHz: derived 4 fp32 FLOPs per cycle per core → 21.3 GFLOPS, fp16 at the same rate (no fp16 arithmetic on Armv8.0) (uncertain)',
      memoryGBps:
        "https://www.amd.com/en/products/system-on-modules/kria/k26/kv260-vision-starter-kit.html — the CPU shares the DPU's DDR4, 19.2 GB/s (derived, uncertain)",
    },
  },
  source: 'https://xilinx.github.io/kria-apps-docs/kv260/2022.1/build/html/docs/smartcamera/docs/hw_arch_accel.html',
  sources: {
    tops: 'https://xilinx.github.io/kria-apps-docs/kv260/2022.1/build/html/docs/smartcamera/docs/hw_arch_accel.html — DPU B3136 0.92 TOPS peak (checked)',
    overheadMs: assumedOverhead(
      'https://xilinx.github.io/kria-apps-docs/kv260/2022.1/build/html/docs/smartcamera/docs/hw_arch_accel.html',
      'one Vitis AI runner execution on the DPU (job submission, cache maintenance of the shared buffers and completion)',
      0.3,
    ),
    watts:
      'https://xilinx.github.io/kria-apps-docs/kv260/2022.1/build/html/docs/smartcamera/docs/hw_arch_accel.html — 7.9 W overall K26 power, estimated by AMD with DPU and pre-processing (checked)',
    priceUsd:
      'https://www.amd.com/en/products/system-on-modules/kria/k26/kv260-vision-starter-kit.html — USD 249 (uncertain: not re-checked; USD 199 at launch)',
    memoryGBps:
      'https://www.amd.com/en/products/system-on-modules/kria/k26/kv260-vision-starter-kit.html — derived: 4 GB DDR4-2400 on a 64-bit bus → 19.2 GB/s (uncertain)',
    utilization:
      'https://xilinx.github.io/kria-apps-docs/kv260/2022.1/build/html/docs/smartcamera/docs/hw_arch_accel.html — DenseBox_640x360 reaches 0.25 of the 0.92 peak TOPS → 0.27 (checked)',
  },
});

/** P10 openvino-nncf-perf: OpenVINO CPU plugin on an Intel Core i7-1185G7 (Tiger Lake, AVX-512 VNNI). */
export const INTEL_I7_1185G7 = freezeDevice({
  name: 'Intel Core i7-1185G7 (4 cores, AVX-512 VNNI), OpenVINO CPU',
  tops: 1.54,
  precisionTops: { float16: 0.384, float32: 0.384 },
  watts: 28,
  priceUsd: 426,
  memoryGBps: 68.3,
  overheadMs: 0.02,
  source: 'https://www.intel.com/content/www/us/en/products/sku/208664/intel-core-i71185g7-processor-12m-cache-up-to-4-80-ghz-with-ipu/specifications.html',
  sources: {
    overheadMs: assumedOverhead('https://docs.openvino.ai/', 'one synchronous OpenVINO infer request on the CPU plugin', 0.02),
    tops: 'https://www.intel.com/content/www/us/en/products/sku/208664/intel-core-i71185g7-processor-12m-cache-up-to-4-80-ghz-with-ipu/specifications.html — derived: 4 cores × 3.0 GHz base × 1 AVX-512 VNNI unit × 64 int8 MACs × 2 ops → 1.54 TOPS (uncertain: AVX-512 clocks vary)',
    precisionTops:
      'https://www.intel.com/content/www/us/en/products/sku/208664/intel-core-i71185g7-processor-12m-cache-up-to-4-80-ghz-with-ipu/specifications.html — derived: 4 cores × 3.0 GHz × 32 fp32 FLOPs per cycle → 0.384 TFLOPS; fp16 converted to fp32 (no fp16 arithmetic) (uncertain)',
    watts:
      'https://www.intel.com/content/www/us/en/products/sku/208664/intel-core-i71185g7-processor-12m-cache-up-to-4-80-ghz-with-ipu/specifications.html — 28 W configurable TDP-up (not re-checked)',
    priceUsd:
      'https://www.intel.com/content/www/us/en/products/sku/208664/intel-core-i71185g7-processor-12m-cache-up-to-4-80-ghz-with-ipu/specifications.html — USD 426 recommended customer price (not re-checked)',
    memoryGBps:
      'https://www.intel.com/content/www/us/en/products/sku/208664/intel-core-i71185g7-processor-12m-cache-up-to-4-80-ghz-with-ipu/specifications.html — derived: LPDDR4x-4267 on 128 bits → 68.3 GB/s (uncertain)',
  },
});

/** P11 ort-dynamic-u8s8: ONNX Runtime MLAS on an Intel Xeon Platinum 8380 server CPU (Ice Lake, AVX-512 VNNI). */
export const XEON_PLATINUM_8380 = freezeDevice({
  name: 'Intel Xeon Platinum 8380 (40 cores, AVX-512 VNNI), ONNX Runtime CPU',
  tops: 23.55,
  precisionTops: { float16: 5.89, float32: 5.89 },
  watts: 270,
  priceUsd: 8099,
  memoryGBps: 204.8,
  overheadMs: 0.02,
  source: 'https://www.intel.com/content/www/us/en/products/sku/212287/intel-xeon-platinum-8380-processor-60m-cache-2-30-ghz/specifications.html',
  sources: {
    overheadMs: assumedOverhead('https://onnxruntime.ai/docs/', 'one ONNX Runtime InferenceSession.Run on the CPU execution provider', 0.02),
    tops: 'https://www.intel.com/content/www/us/en/products/sku/212287/intel-xeon-platinum-8380-processor-60m-cache-2-30-ghz/specifications.html — derived: 40 cores × 2.3 GHz × 2 AVX-512 VNNI units × 64 int8 MACs × 2 ops → 23.55 TOPS (uncertain: AVX-512 clocks are lower)',
    precisionTops:
      'https://www.intel.com/content/www/us/en/products/sku/212287/intel-xeon-platinum-8380-processor-60m-cache-2-30-ghz/specifications.html — derived: 40 × 2.3 GHz × 64 fp32 FLOPs per cycle → 5.89 TFLOPS; fp16 converted to fp32 (uncertain)',
    watts:
      'https://www.intel.com/content/www/us/en/products/sku/212287/intel-xeon-platinum-8380-processor-60m-cache-2-30-ghz/specifications.html — 270 W TDP (not re-checked)',
    priceUsd:
      'https://www.intel.com/content/www/us/en/products/sku/212287/intel-xeon-platinum-8380-processor-60m-cache-2-30-ghz/specifications.html — about USD 8,099 recommended customer price (uncertain: not re-checked)',
    memoryGBps:
      'https://www.intel.com/content/www/us/en/products/sku/212287/intel-xeon-platinum-8380-processor-60m-cache-2-30-ghz/specifications.html — derived: 8 channels DDR4-3200 → 204.8 GB/s (not re-checked)',
  },
});

/** P12 coreml-weight-only: Apple A17 Pro Neural Engine (iPhone 15 Pro). */
export const APPLE_A17_PRO_ANE = freezeDevice({
  name: 'Apple A17 Pro Neural Engine (iPhone 15 Pro)',
  tops: 35,
  precisionTops: { float16: 17.5, float32: 2.15 },
  watts: 5,
  priceUsd: 999,
  memoryGBps: 51.2,
  overheadMs: 0.1,
  host: {
    name: 'A17 Pro 6-core GPU (Core ML fallback)',
    precisionTops: { float16: 2.15, float32: 2.15 },
    memoryGBps: 51.2,
    source: 'https://www.apple.com/newsroom/2023/09/apple-unveils-iphone-15-pro-and-iphone-15-pro-max/',
    sources: {
      precisionTops:
        'https://www.apple.com/newsroom/2023/09/apple-unveils-iphone-15-pro-and-iphone-15-pro-max/ — layers the Neural Engine cannot run go to the GPU (or CPU); about 2.15 TFLOPS fp32, fp16 taken at the same rate (third-party, uncertain)',
      memoryGBps:
        "https://www.apple.com/newsroom/2023/09/apple-unveils-iphone-15-pro-and-iphone-15-pro-max/ — the GPU shares the SoC's LPDDR5, 51.2 GB/s (derived, uncertain)",
    },
  },
  source: 'https://www.apple.com/newsroom/2023/09/apple-unveils-iphone-15-pro-and-iphone-15-pro-max/',
  sources: {
    overheadMs: assumedOverhead(
      'https://developer.apple.com/documentation/coreml',
      'one Core ML prediction dispatched to the Neural Engine (ops it cannot run go to the GPU in shared memory, no copy priced)',
      0.1,
    ),
    tops: 'https://www.apple.com/newsroom/2023/09/apple-unveils-iphone-15-pro-and-iphone-15-pro-max/ — 35 trillion operations per second (checked: third-party summaries; precision not stated by Apple, taken as INT8 — uncertain)',
    precisionTops:
      'https://www.apple.com/newsroom/2023/09/apple-unveils-iphone-15-pro-and-iphone-15-pro-max/ — fp16 assumed ½ of the 35 TOPS (A16: 17 TOPS, fp16) (uncertain); fp32 runs on the 6-core GPU, about 2.15 TFLOPS (third-party, uncertain)',
    watts:
      'https://www.apple.com/newsroom/2023/09/apple-unveils-iphone-15-pro-and-iphone-15-pro-max/ — Apple publishes no power figure; 5 W sustained SoC power is an assumption (uncertain)',
    priceUsd:
      'https://www.apple.com/newsroom/2023/09/apple-unveils-iphone-15-pro-and-iphone-15-pro-max/ — iPhone 15 Pro from USD 999 at launch (not re-checked)',
    memoryGBps:
      'https://www.apple.com/newsroom/2023/09/apple-unveils-iphone-15-pro-and-iphone-15-pro-max/ — derived: LPDDR5-6400 on 64 bits → 51.2 GB/s (third-party, uncertain)',
  },
});
