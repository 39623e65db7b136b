/** The explorer's entry point: the page, its presets, and the service worker that keeps it working offline. */
import docs from 'virtual:presets';
import { presetCatalog } from './scenario/presets.js';
import { App } from './ui/app.js';
import { preloadCharts } from './ui/charts.js';
import { registerOfflineWorker } from './ui/offline.js';
import './style.css';

const root = document.getElementById('app')!;
const app = new App(root, presetCatalog(docs));
// Tests and the benchmark read runs through this handle.
(window as unknown as { explorer: App }).explorer = app;
// Milestones the benchmark reads (bench/explorer.ts): page built, worker started, first tick, charts loaded, first chart.
performance.mark('explorer:page');
app.autostart();
setTimeout(preloadCharts, 0);
registerOfflineWorker();
