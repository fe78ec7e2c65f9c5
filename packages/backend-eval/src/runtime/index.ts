export { createRuntimeSession, importRuntimePackage, loadRuntime, sessionOptions, OPTIMIZATION_LEVEL } from './sessions.js';
export { runLogits, runOutputs } from './runBatches.js';
export { measureFeedLatency, measureLatency, nearestRank } from './latency.js';
export { optimizedOps, countOps } from './optimizedOps.js';
export { compareRuntimeOutputs } from './disagreement.js';
export { describeEnvironment, parseCpuinfo } from './environment.js';

export type {
  OrtInferenceSession,
  OrtModule,
  OrtOptimizationLevel,
  OrtSessionOptions,
  OrtTensor,
  FeedTensor,
  RuntimeImporter,
  RuntimeSession,
  RuntimeSessionOptions,
} from './sessions.js';
export type { ModelFeeds, RunLogitsOptions } from './runBatches.js';
export type { MeasureLatencyOptions } from './latency.js';
export type { OptimizedOpsOptions } from './optimizedOps.js';
export type { OutputComparison } from './disagreement.js';
export type { HostEnvironment } from './environment.js';
