/** A data-parallel replica of the training-speed bench: times each task's steps (rank 0 reports). */
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { joinDataParallel } from '@quant-trim/fake-quant/node';
import { BATCH, type BenchModel, type Variant, benchBatch, benchModel } from './models.js';

export interface Task {
  readonly model: BenchModel;
  readonly variant: Variant;
  readonly warmup: number;
  readonly steps: number;
  /** Train this replica's rows alone, exchanging nothing: the machine's ceiling for data parallelism. */
  readonly independent?: boolean;
}

const { replica, data, done } = joinDataParallel<{ tasks: Task[] }>();
await initTrainingBackend({ backend: 'wasm' });
const msPerStep: number[] = [];
for (const task of data.tasks) {
  const model = benchModel(task.model, task.variant);
  const { start, count } = replica.shard(BATCH);
  const { x, y } = benchBatch(start, count);
  const step = task.independent ? () => model.trainOnBatch(x, y) : () => replica.trainOnShard(model, x, y, BATCH);
  for (let i = 0; i < task.warmup; i++) await step();
  const t0 = performance.now();
  for (let i = 0; i < task.steps; i++) await step();
  // Independent replicas finish at different times: the slowest one sets the pace.
  const ms = (performance.now() - t0) / task.steps;
  msPerStep.push(task.independent ? replica.collective.allReduce(Float32Array.of(ms), 'max')[0]! : ms);
  x.dispose();
  y.dispose();
  model.dispose();
}
done(msPerStep);
