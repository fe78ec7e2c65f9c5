// Worker-thread entry when the CLI runs from its TypeScript sources (tsx): Node 20 applies no
// loader hook inside worker threads, so this plain module loads trainWorker.ts through tsx's API.
// The published CLI runs its compiled dist/trainWorker.js directly.
import { tsImport } from 'tsx/esm/api';

await tsImport('./trainWorker.ts', import.meta.url);
