/**
 * The explorer's page logic that needs no browser: controls generated from the schemas,
 * share links, the scenario file it writes (checked against the CLI's own loader), and its
 * CSV (checked against DuckDB's own CSV writer).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOUBLE, DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { models } from '../src/models/registry.js';
import { listPresets, loadPreset, loadScenarioFile, presetDoc } from '../src/scenario/load.js';
import { canonicalJson, leafPaths } from '../src/scenario/resolve.js';
import { duckdbDouble, metricsCsv } from '../web/src/scenario/csv.js';
import { allFields, formOf } from '../web/src/scenario/form.js';
import { pageModels } from '../web/src/scenario/models.js';
import { diffLeaves, getAt, overlayTree, setAt } from '../web/src/scenario/paths.js';
import { citationOf, presetCatalog } from '../web/src/scenario/presets.js';
import { scenarioFileDoc, scenarioFileText } from '../web/src/scenario/scenario-file.js';
import { decodeShare, encodeShare } from '../web/src/scenario/share.js';
import { AGENTS_PATH, initialState, runDocument, type ExplorerState } from '../web/src/scenario/state.js';

const names = listPresets();
const catalog = presetCatalog(Object.fromEntries(names.map((n) => [n, presetDoc(n)])));
const dir = mkdtempSync(join(tmpdir(), 'pano-explorer-'));

describe('controls from the schemas', () => {
  it.each(Object.keys(pageModels))('%s: every parameter gets a control, every number a range and a unit', (name) => {
    const model = pageModels[name];
    const fields = allFields(formOf(model.params));
    const numbers = fields.filter((f) => f.kind === 'number');
    expect(numbers.length).toBeGreaterThan(5);
    for (const f of numbers) {
      expect(f.unit, `${name} ${f.path}`).not.toBe('');
      expect(f.min, f.path).toBeLessThanOrEqual(f.max);
    }
    // Every leaf of every preset of this model has a control at its path (list items by column).
    const paths = new Set(fields.map((f) => f.path));
    for (const f of fields) if (f.kind === 'variant') paths.add(`${f.path}.${f.discriminator}`);
    for (const preset of catalog.names.map((n) => catalog.get(n)!).filter((p) => p.model.name === name)) {
      for (const leaf of leafPaths(preset.base)) {
        const field = leaf.replace(/\.\d+(?=\.|$)/g, '');
        expect(paths.has(field) || paths.has(leaf), `${preset.name}: ${leaf}`).toBe(true);
      }
    }
  });

  it('reads ranges, integers, exclusive bounds, choices and tables off the schema', () => {
    const fields = allFields(formOf(pageModels.regime.params));
    const at = (path: string) => fields.find((f) => f.path === path)!;
    expect(at('police.detentionDays')).toMatchObject({
      kind: 'number',
      min: 1,
      max: 3650,
      integer: true,
      unit: 'days',
    });
    expect(at('population.regions.populationShare')).toMatchObject({ kind: 'number', minInclusive: false, max: 1 });
    expect(at('population.regions')).toMatchObject({ kind: 'table', minItems: 1, maxItems: 64 });
    expect(at('behaviour.infractionRate')).toMatchObject({ unit: 'probability per day' });
    const groups = formOf(pageModels.regime.params);
    expect(groups.find((g) => g.path === 'cameras')?.toggle?.path).toBe('cameras.enabled');
    const epstein = allFields(formOf(pageModels.epstein.params));
    expect(epstein.find((f) => f.path === 'legitimacySchedule')).toMatchObject({
      kind: 'variant',
      discriminator: 'kind',
    });
    expect(epstein.find((f) => f.path === 'visionShape')).toMatchObject({
      kind: 'choice',
      options: ['von-neumann', 'moore', 'disc'],
    });
    expect(epstein.find((f) => f.path === 'maxJailTerm')).toMatchObject({
      kind: 'number',
      nullMeaning: 'infinite (agents never come back)',
    });
  });

  it("names each default's source: the longest sources: key covering it, else assumption", () => {
    const p = catalog.get('national-blacklist')!;
    expect(citationOf(p, 'lists.durationDays')).toEqual({ ids: ['AF'], via: 'lists.durationDays' });
    expect(citationOf(p, 'response.sanctionFear')).toEqual({
      ids: ['NA13', 'assumption'],
      via: 'response.sanctionFear',
    });
    expect(citationOf(p, 'population.regions.0.policePer100k')).toEqual({
      ids: ['assumption'],
      via: 'population.regions',
    });
    expect(citationOf(p, 'cameras.recognitionAccuracy')).toEqual({ ids: ['assumption'] });
  });
});

describe('the page resolves presets as the CLI does', () => {
  it.each(catalog.names)('%s', (name) => {
    expect(canonicalJson(catalog.get(name)!.base)).toBe(canonicalJson(loadPreset(name, { registry: models }).params));
  });
});

describe('parameter paths', () => {
  const base = { a: 1, b: { c: [1, 2], d: [{ x: 1 }, { x: 2 }] } };
  it('sets a value copying only the nodes on its path', () => {
    const next = setAt(base, 'b.d.1.x', 5);
    expect(getAt(next, 'b.d.1.x')).toBe(5);
    expect(next.b.c).toBe(base.b.c);
    expect(base.b.d[1].x).toBe(2);
    expect(() => setAt(base, 'b.d.7.x', 1)).toThrow(/no such list item/);
  });
  it('diffs leaves as a scenario file merges: mappings by key, lists of mappings by item, other lists whole', () => {
    expect(diffLeaves(base, setAt(base, 'b.d.0.x', 9))).toEqual([['b.d.0.x', 9]]);
    expect(diffLeaves(base, setAt(base, 'b.c.1', 3))).toEqual([['b.c', [1, 3]]]);
    expect(diffLeaves(base, setAt(base, 'b.d', [{ x: 1 }]))).toEqual([['b.d', [{ x: 1 }]]]);
    expect(overlayTree(base, setAt(base, 'b.d.0.x', 9))).toEqual({ b: { d: [{ x: 9 }, { x: 2 }] } });
    expect(diffLeaves(base, base)).toEqual([]);
  });
});

/** A state with changes of every kind: a number, a boolean, a region cell, a list, the size and seed. */
function changedState(): ExplorerState {
  const s = initialState(catalog, 'national-blacklist');
  let a = s.a.params;
  a = setAt(a, 'behaviour.threshold', 0.1 + 0.2); // a double whose shortest text is long
  a = setAt(a, 'cameras.enabled', true);
  a = setAt(a, 'cameras.falseMatchRate', 1.5e-7);
  a = setAt(a, 'population.regions.1.camerasPerThousand', 3.25);
  a = setAt(a, 'population.householdSizes', [0.2, 0.3, 0.3, 0.2]);
  let b = initialState(catalog, 'high-intensity').a.params;
  b = setAt(b, 'predictive.bias', 2.5);
  return {
    a: { ...s.a, params: a },
    b: { preset: 'high-intensity', params: b },
    settings: { seed: 12345, steps: 40, agents: 5000 },
  };
}

describe('share links', () => {
  it('reproduce the state exactly, numbers bit for bit', () => {
    const state = changedState();
    const link = encodeShare(catalog, state);
    expect(link).toContain('p.behaviour.threshold=0.30000000000000004');
    const back = decodeShare(catalog, `#${link}`, 'baseline-no-surveillance');
    expect(back.problems).toEqual([]);
    expect(canonicalJson(back.state)).toBe(canonicalJson(state));
    expect(Object.is(getAt(back.state.a.params, 'cameras.falseMatchRate'), 1.5e-7)).toBe(true);
    expect(runDocument(catalog, back.state.a, back.state.settings)).toEqual(
      runDocument(catalog, state.a, state.settings),
    );
  });

  it('leave out what the preset already says', () => {
    const s = initialState(catalog, 'epstein-run1');
    expect(encodeShare(catalog, s)).toBe('preset=epstein-run1&seed=1&days=500');
  });

  it('report what they cannot apply instead of dropping it', () => {
    const { state, problems } = decodeShare(
      catalog,
      '#preset=nope&seed=-3&days=10&p.police.nosuch=1&p.police.detentionDays=%7Bbad&c.x=1&zzz=1',
      'national-blacklist',
    );
    expect(state.a.preset).toBe('national-blacklist');
    expect(state.settings.steps).toBe(10);
    expect(problems.join('\n')).toMatch(/preset: no preset "nope"/);
    expect(problems.join('\n')).toMatch(/seed: got "-3"/);
    expect(problems.join('\n')).toMatch(
      /p\.police\.nosuch: preset national-blacklist has no parameter "police.nosuch"/,
    );
    expect(problems.join('\n')).toMatch(/p\.police\.detentionDays: got "\{bad", not a JSON value/);
    expect(problems.join('\n')).toMatch(/c\.x: a second scenario's parameter, but the link has no compare=/);
    expect(problems.join('\n')).toMatch(/zzz: not something a link sets/);
    expect(decodeShare(catalog, `#${'p.a=1&'.repeat(20_000)}`, 'national-blacklist').problems[0]).toMatch(
      /characters long/,
    );
  });

  it('refuse to pair presets of two models', () => {
    const { state, problems } = decodeShare(
      catalog,
      '#preset=national-blacklist&compare=epstein-run1',
      'national-blacklist',
    );
    expect(state.b).toBeNull();
    expect(problems[0]).toMatch(/comparisons pair one model/);
  });
});

describe('the scenario file the page writes', () => {
  it('is what `panopticon run FILE` resolves to the page’s exact parameters, citing each value', async () => {
    const state = changedState();
    for (const side of [state.a, state.b!]) {
      const text = await scenarioFileText(catalog, side, state.settings);
      const file = join(dir, `${side.preset}.yaml`);
      writeFileSync(file, text);
      const cli = loadScenarioFile(file, { registry: models });
      const page = runDocument(catalog, side, state.settings);
      expect(canonicalJson(cli.params)).toBe(canonicalJson(page.params));
      expect(cli.seed).toBe(12345);
      expect(cli.steps).toBe(40);
      expect(cli.preset).toBe(side.preset);
      // Changed values say "assumption"; values kept from the preset keep its citation.
      expect(cli.sources[side === state.a ? 'behaviour.threshold' : 'predictive.bias']).toEqual(['assumption']);
    }
    const doc = scenarioFileDoc(catalog, state.a, state.settings);
    const sources = doc.sources as Record<string, unknown>;
    expect(sources['population.regions.1.camerasPerThousand']).toBe('assumption');
    expect(sources['population.regions.0.policePer100k']).toBe('assumption'); // the preset's own citation
    expect(sources[AGENTS_PATH]).toBe('assumption');
    expect(Object.keys(doc.params as object).sort()).toEqual(['behaviour', 'cameras', 'population']);
  });
});

describe('the metrics CSV', () => {
  it('prints doubles exactly as DuckDB’s CSV writer does', async () => {
    const values: number[] = [
      0,
      -0,
      1,
      -1,
      0.5,
      1e-4,
      1.5e-5,
      123456789,
      1e15,
      1e16,
      2 ** 53,
      1e21,
      5e-324,
      NaN,
      Infinity,
      -Infinity,
    ];
    values.push(1.7976931348623157e308, 0.1 + 0.2, 1234567.5, 9.999999999999999e15, 0.00009999999999999999);
    // Random doubles over the whole range, from a fixed generator.
    let x = 0x9e3779b9;
    const bits = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 2000; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      bits.setUint32(0, x);
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      bits.setUint32(4, x);
      const v = bits.getFloat64(0);
      values.push(Number.isFinite(v) ? v : i);
      values.push((x / 2 ** 32) * 10 ** ((i % 40) - 20));
    }
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    await con.run('CREATE TABLE t (i INTEGER, v DOUBLE)');
    const app = await con.createAppender('t');
    values.forEach((v, i) => {
      app.appendInteger(i);
      app.appendValue(v, DOUBLE);
      app.endRow();
    });
    app.closeSync();
    const file = join(dir, 'doubles.csv');
    await con.run(`COPY (SELECT v FROM t ORDER BY i) TO '${file}' (FORMAT csv, HEADER false)`);
    con.closeSync();
    instance.closeSync();
    const expected = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(values.map(duckdbDouble)).toEqual(expected);
  });

  it('has the export’s columns and row order', () => {
    const csv = metricsCsv(
      'explorer',
      [
        { name: 'b', key: '' },
        { name: 'a', key: 'group=x' },
        { name: 'a', key: '' },
      ],
      Float64Array.from([1, 2, 3, 4, 0.5, NaN]),
      2,
    );
    expect(csv).toBe(
      'run_id,tick,metric,key,value\nexplorer,0,a,"",3.0\nexplorer,0,a,group=x,2.0\nexplorer,0,b,"",1.0\nexplorer,1,a,"",nan\nexplorer,1,a,group=x,0.5\nexplorer,1,b,"",4.0\n',
    );
  });
});
