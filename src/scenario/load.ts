/**
 * Reading scenarios from disk (Node only): YAML files with line/column errors, the preset
 * directory at the package root, and the scenario hash.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelRegistry } from '../models/registry.js';
import { didYouMean, show, UserError } from './errors.js';
import { canonicalJson, resolveScenario, resultDefiningPart, type Overrides, type ScenarioDoc } from './resolve.js';
import type { ResolvedScenario } from './schema.js';
import { decodeScenarioBytes, MAX_SCENARIO_BYTES, parseScenarioYaml } from './yaml.js';

export const DEFAULT_PRESET = 'national-blacklist';

let rootCache: string | undefined;

/** The package root: the nearest folder above this module with the project's package.json (works from src/ and dist/src/). */
export function packageRoot(): string {
  if (rootCache) return rootCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'panopticon')
          return (rootCache = dir);
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the panopticon package root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export function defaultPresetsDir(): string {
  return join(packageRoot(), 'scenarios');
}

export { parseScenarioYaml, MAX_SCENARIO_BYTES } from './yaml.js';

/**
 * Read at most MAX_SCENARIO_BYTES + 1 bytes: a scenario "file" may be a pipe or a device
 * (`/dev/zero`, `<(generate)`), whose size stat cannot tell and which may never end.
 */
function readBounded(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(MAX_SCENARIO_BYTES + 1);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export function readScenarioDoc(file: string): unknown {
  let bytes: Uint8Array;
  try {
    if (statSync(file).isDirectory()) throw new UserError(`${file}: is a directory, not a scenario file`);
    bytes = readBounded(file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`scenario file not found: ${resolve(file)}`);
    if (code === 'EACCES') throw new UserError(`scenario file not readable (permission denied): ${resolve(file)}`);
    throw new UserError(`cannot read scenario file ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseScenarioYaml(decodeScenarioBytes(bytes, file), file);
}

export interface PresetOptions {
  readonly registry: ModelRegistry;
  /** Folder of preset YAML files; defaults to <package root>/scenarios. */
  readonly dir?: string;
}

export function listPresets(dir: string = defaultPresetsDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

function presetFile(name: string, dir: string): string {
  const names = listPresets(dir);
  if (!names.includes(name)) {
    const list = names.length ? names.join(', ') : `none (no .yaml files in ${dir})`;
    throw new UserError(`preset: unknown preset ${show(name)}${didYouMean(name, names)}; valid presets: ${list}`);
  }
  return join(dir, `${name}.yaml`);
}

/** The raw (unvalidated) document of a preset: what a user file's `preset:` merges onto. */
export function presetDoc(name: string, dir: string = defaultPresetsDir()): ScenarioDoc {
  const file = presetFile(name, dir);
  const doc = readScenarioDoc(file);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new UserError(`${file}: a preset must be a YAML mapping`);
  return doc as ScenarioDoc;
}

/** Load and validate one preset (with the preset rules: name = file name, a source per parameter). */
export function loadPreset(name: string, opts: PresetOptions & { overrides?: Overrides }): ResolvedScenario {
  const dir = opts.dir ?? defaultPresetsDir();
  const file = presetFile(name, dir);
  return resolveScenario(readScenarioDoc(file), {
    registry: opts.registry,
    origin: file,
    isPreset: true,
    presetName: name,
    ...(opts.overrides ? { overrides: opts.overrides } : {}),
  });
}

/** Load and validate a user scenario file, merged onto its preset if it names one. */
export function loadScenarioFile(
  file: string,
  opts: PresetOptions & { overrides?: Overrides; /** replaces the file's `preset:` */ preset?: string },
): ResolvedScenario {
  const dir = opts.dir ?? defaultPresetsDir();
  let doc = readScenarioDoc(file);
  if (opts.preset !== undefined && doc !== null && typeof doc === 'object' && !Array.isArray(doc))
    doc = { ...doc, preset: opts.preset };
  return resolveScenario(doc, {
    registry: opts.registry,
    origin: file,
    presetDoc: (name) => {
      // the preset itself must be valid before anything is merged onto it
      loadPreset(name, { registry: opts.registry, dir });
      return presetDoc(name, dir);
    },
    ...(opts.overrides ? { overrides: opts.overrides } : {}),
  });
}

/** sha256 of the canonical JSON of what determines a run's results (model, seed, steps, resolved params). */
export function scenarioHash(s: ResolvedScenario): string {
  return createHash('sha256')
    .update(canonicalJson(resultDefiningPart(s)))
    .digest('hex');
}
