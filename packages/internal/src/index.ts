export { NamedRegistry } from './NamedRegistry.js';
export type { RegisterOptions } from './NamedRegistry.js';
