// Node-only helpers (file system); the main entry stays browser-safe.
export { fileSystemHandler } from './node/fileSystemHandler.js';
export { type DataParallelOptions, defaultWorkerCount, joinDataParallel, runDataParallel } from './node/dataParallel.js';
