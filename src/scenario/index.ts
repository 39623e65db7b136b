export * from './errors.js';
export * from './schema.js';
export * from './resolve.js';
export * from './load.js';
export { sources, isSourceId, ASSUMPTION } from './sources.js';
