// Types of the runtime layer; evaluate/reportTypes.ts re-exports them as part of the report.

/** A real ONNX runtime a compiled model is executed on. */
export type RuntimeName = 'onnxruntime-node' | 'onnxruntime-web';

/**
 * `emulate`: the profile's numerics exactly (QDQ in float: ORT graph optimization `disabled`; even
 * `basic` rewrites float biases next to dequantized weights). `native`: ORT's integer kernels
 * (`all`; QDQ groups fused into QLinearConv / QGemm / MatMulInteger where ORT can), for latency.
 */
export type ExecutionMode = 'emulate' | 'native';

/** Latency percentiles in milliseconds per inference call of one batch. */
export interface LatencyStats {
  readonly batch: number;
  readonly runs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
}
