export * from './store.js';
export { newRunId } from './ids.js';
export { currentOwner, HEARTBEAT_SECONDS, STALE_HEARTBEAT_SECONDS, type Owner } from './owner.js';
export { isDuckDbFile } from './export.js';
