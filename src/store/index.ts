export * from './store.js';
export { newRunId } from './ids.js';
