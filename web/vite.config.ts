/**
 * Build of the explorer (web/): `npm run build:web` writes a static site to dist/web that
 * any host can serve; `panopticon serve` serves it with the isolation headers and the
 * results-store API. Relative asset paths (`base: './'`) let it live under any folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { defineConfig, type Plugin } from 'vite';
import { ISOLATION_HEADERS } from '../src/cli/isolation.js';

const webRoot = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(webRoot, '..');
const scenariosDir = join(repoRoot, 'scenarios');

/**
 * `virtual:presets`: the preset scenario files as parsed documents, so the page needs
 * neither a YAML parser nor a request to show the gallery. The files are validated with
 * the preset rules in the page (and in the CLI's tests) exactly as `panopticon` does.
 */
function presets(): Plugin {
  const id = 'virtual:presets';
  const resolved = `\0${id}`;
  return {
    name: 'panopticon-presets',
    resolveId: (source) => (source === id ? resolved : undefined),
    load(source) {
      if (source !== resolved) return undefined;
      const docs: Record<string, unknown> = {};
      for (const file of readdirSync(scenariosDir).sort()) {
        if (!file.endsWith('.yaml')) continue;
        const path = join(scenariosDir, file);
        this.addWatchFile(path);
        docs[file.slice(0, -'.yaml'.length)] = parse(readFileSync(path, 'utf8'));
      }
      return `export default ${JSON.stringify(docs)};`;
    },
  };
}

/**
 * The service worker (web/public/sw.js) learns what to cache for offline use from a file
 * written at the end of the build: every asset of this build, by relative path.
 */
function offlineManifest(): Plugin {
  return {
    name: 'panopticon-offline-manifest',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((f) => !f.endsWith('.map'));
      const publicFiles = readdirSync(join(webRoot, 'public')).filter((f) => f !== 'sw.js');
      const assets = ['./', ...[...files, ...publicFiles].sort().map((f) => `./${f}`)];
      this.emitFile({
        type: 'asset',
        fileName: 'offline-manifest.json',
        source: JSON.stringify({ version: hashOf(assets.join('\n') + versionSeed(bundle)), assets }, null, 1),
      });
    },
  };
}

function versionSeed(bundle: Record<string, { type: string; code?: string; source?: unknown }>): string {
  return Object.values(bundle)
    .map((b) => (b.type === 'chunk' ? (b.code ?? '') : String(b.source ?? '').length))
    .join('|');
}

/** FNV-1a, enough to tell two builds apart. */
function hashOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export default defineConfig({
  root: webRoot,
  base: './',
  publicDir: 'public',
  plugins: [presets(), offlineManifest()],
  build: {
    outDir: relative(webRoot, join(repoRoot, 'dist', 'web')),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    // Vega and Vega-Lite (the lazily loaded chart chunk) are about 0.85 MB minified.
    chunkSizeWarningLimit: 1000,
  },
  worker: { format: 'es' },
  server: { headers: { ...ISOLATION_HEADERS } },
  preview: { headers: { ...ISOLATION_HEADERS } },
});
