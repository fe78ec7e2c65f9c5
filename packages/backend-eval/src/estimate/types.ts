// Types of the cost model; evaluate/reportTypes.ts re-exports them as part of the report.

/** Multiply-accumulates of one inference by the precision they run at. */
export interface MacBreakdown {
  readonly int4: number;
  readonly int8: number;
  readonly int16: number;
  readonly float16: number;
  readonly float32: number;
}

/** A sourced number of the cost model. */
export interface SourcedValue {
  readonly value: number;
  readonly unit: string;
  readonly source: string;
}

/**
 * Estimated (not measured) energy, latency and cost of one inference on the profile's device, from
 * a documented analytical model: MACs by precision × energy per operation (published figures),
 * bytes moved × energy per byte, device throughput / power / price from datasheets.
 */
export interface CostEstimate {
  readonly device: string;
  readonly macs: MacBreakdown;
  /** Weights + activations read and written once per inference, in bytes. */
  readonly bytesMoved: number;
  readonly energyMicrojoules: number;
  readonly latencyMs: number;
  /** Energy cost of one million inferences plus the device price amortized over its life, in USD. */
  readonly costUsdPerMillion: number;
  /** Where the work runs and what the latency is made of (absent in reports written before placement was estimated). */
  readonly placement?: PlacementEstimate;
  /** The figures used, each with its source. */
  readonly assumptions: Readonly<Record<string, SourcedValue>>;
}

/** The placement split of a `CostEstimate`; the four `*Ms` parts add up to `latencyMs`. */
export interface PlacementEstimate {
  /** The processor that runs the fallback nodes, when it is not the device itself. */
  readonly host?: string;
  /** MACs on the accelerator. */
  readonly acceleratorMacs: number;
  /** MACs placed off the accelerator (on `host`, or on the device's own fallback path when it has none). */
  readonly fallbackMacs: number;
  /** Accelerator invocations per inference (each host fallback in the middle of the graph adds one). */
  readonly invocations: number;
  /** Bytes crossing between host memory and the accelerator per inference. */
  readonly transferBytes: number;
  readonly acceleratorMs: number;
  readonly hostMs: number;
  readonly transferMs: number;
  readonly overheadMs: number;
}
