// Bootstrap of a fuzz worker thread: registers tsx (the worker runs the TypeScript sources, as
// the bench and the tests do) and loads the worker proper, whose URL the main thread passes.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
