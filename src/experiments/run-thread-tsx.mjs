// Run-pool thread bootstrap used only when running from TypeScript sources (tests, tsx):
// Node 20 does not apply `--import tsx` to worker threads, so the loader is registered here.
import { register } from 'tsx/esm/api';

register();
await import('./run-thread.ts');
