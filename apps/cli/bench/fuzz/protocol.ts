/** Messages between the fuzz runner (main thread) and its worker. */

export interface FuzzFailure {
  /** Case index: with the seed and the target it reproduces the input. */
  readonly index: number;
  /** `error`: threw something other than a coded QuantTrimError; `hang`: exceeded the time limit; `out-of-memory`: the worker ran out of heap; `allocation`: one case allocated more array buffers than allowed. */
  readonly kind: 'error' | 'hang' | 'out-of-memory' | 'allocation';
  /** The later stage that failed (the reader accepted the input), e.g. `writeOnnx`. */
  readonly stage?: string;
  readonly name: string;
  readonly message: string;
  /** The top frames, for errors. */
  readonly stack: string;
}

export interface WorkerJob {
  readonly target: string;
  readonly seed: number;
  readonly from: number;
  readonly to: number;
  /** Cases already known to hang or exhaust memory: not run again. */
  readonly skip: readonly number[];
  readonly allocLimitMb: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'done' }
  | {
      type: 'batch';
      /** Cases [from, to) are complete. */
      from: number;
      to: number;
      ok: number;
      coded: Record<string, number>;
      failures: FuzzFailure[];
      slowestMs: number;
      slowestCase: number;
    };
