// Worker-thread entry of the bench (Node 20 applies no loader hook in worker threads): loads worker.ts through tsx.
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);
