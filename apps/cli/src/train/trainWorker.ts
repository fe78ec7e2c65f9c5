/**
 * One replica of a data-parallel `trainMethod` run (`trainInWorkers`): a worker-thread entry,
 * built as its own file beside the CLI. It rebuilds the model the main thread built (or resumes
 * the checkpoint), trains its rows of every batch, and on rank 0 forwards progress to the main
 * thread's reporter.
 */
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend, registerQuantLayers } from '@quant-trim/fake-quant';
import { joinDataParallel } from '@quant-trim/fake-quant/node';
import { registerOnnxLayers } from '@quant-trim/onnx-import';
import type { Reporter } from '../output/types.js';
import type { ReporterMessage, WorkerTrainJob } from './trainInWorkers.js';
import { trainReplica } from './trainMethod.js';

const { replica, data: job, send, done } = joinDataParallel<WorkerTrainJob>();
await initTrainingBackend({ backend: 'wasm' });
registerQuantLayers();
// A model imported from ONNX (or its checkpoint) may hold the importer's layers.
registerOnnxLayers();

/** The main thread's model: its topology with its weights (every layer class it may hold is registered above). */
async function rebuild(): Promise<tf.LayersModel> {
  const artifacts = job.model!;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.topology }));
  model.setWeights(artifacts.weights.map((w) => tf.tensor(w.values, [...w.shape])));
  return model;
}

/** Rank 0's reporter: each call goes to the main thread's. */
const forward = new Proxy({} as Reporter, {
  get: (_target, method) => (event: unknown) => send({ method: method as keyof Reporter, event } satisfies ReporterMessage),
});

// The main thread's Ctrl-C, read at every step; the replicas agree on the step to stop at through the collective.
const signal = {
  get aborted() {
    return Atomics.load(job.abort, 0) !== 0;
  },
};

await trainReplica(
  {
    ...job.options,
    dataset: job.dataset,
    build: rebuild,
    signal,
    ...(replica.rank === 0 ? { reporter: forward } : {}),
  },
  replica,
);
done();
