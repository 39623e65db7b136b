/** The explorer's entry point: the page, its presets, and the service worker that keeps it working offline. */
import docs from 'virtual:presets';
import { presetCatalog } from './scenario/presets.js';
import { App } from './ui/app.js';
import { registerOfflineWorker } from './ui/offline.js';
import './style.css';

const root = document.getElementById('app')!;
const app = new App(root, presetCatalog(docs));
// Tests and the benchmark read runs through this handle (web/README in docs/explorer.md).
(window as unknown as { explorer: App }).explorer = app;
app.autostart();
registerOfflineWorker();
