// Worker entry of `evaluate({ workers })` when backend-eval runs from its TypeScript source (tests,
// `tsx --conditions=@quant-trim/source`): registers tsx's loader in the worker thread, then loads the
// real entry. The built package uses dist/profileWorker.js instead.
import { register } from 'tsx/esm/api';

register();
const { default: runProfileJob } = await import('./profileWorker.ts');
export default runProfileJob;
