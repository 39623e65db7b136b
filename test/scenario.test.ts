import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError, editDistance, nearest } from '../src/scenario/errors.js';
import { listPresets, loadPreset, loadScenarioFile, parseScenarioYaml, scenarioHash } from '../src/scenario/load.js';
import { checkMemory, resolveScenario } from '../src/scenario/resolve.js';
import { sources, isSourceId } from '../src/scenario/sources.js';
import { testRegistry, tinyPresets } from './helpers/tiny-model.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-scn-'));
const presets = tinyPresets(dir);
let n = 0;
function file(text: string): string {
  const f = join(dir, `s${n++}.yaml`);
  writeFileSync(f, text);
  return f;
}
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a UserError');
}
const load = (text: string) => problems(() => loadScenarioFile(file(text), { registry: testRegistry, dir: presets }));
const base = 'model: tiny\nseed: 1\nsteps: 5\n';

describe('scenario loading errors', () => {
  it('accepts a valid file and fills model defaults', () => {
    const s = loadScenarioFile(file(base + 'params: { rate: 0.3 }\n'), { registry: testRegistry, dir: presets });
    expect(s).toMatchObject({ model: 'tiny', seed: 1, steps: 5 });
    expect(s.threads).toBeUndefined(); // not asked for: the CLI picks (results never depend on it)
    expect(s.params).toEqual({
      agents: 50,
      rate: 0.3,
      mode: 'calm',
      legitimacy: 0.8,
      failAt: 0,
      hookAt: 0,
      groups: [{ name: 'all', share: 1 }],
    });
  });

  it('wrong type names the field, the value and the allowed type', () => {
    expect(load('model: tiny\nseed: abc\nsteps: 5\n')).toEqual(['seed: got string "abc"; allowed: an integer ≥ 0']);
    expect(load(base + 'params: { rate: "high" }\n')).toEqual([
      'params.rate: got string "high"; allowed: a number in [0, 1]',
    ]);
    expect(load('model: tiny\nseed: 1\nsteps: 2.5\n')).toEqual([
      'steps: got number 2.5; allowed: an integer in [1, 2_147_483_647]',
    ]);
  });

  it('out-of-range names the full path and the range', () => {
    expect(load(base + 'params:\n  legitimacy: 1.5\n')).toEqual([
      'params.legitimacy: got 1.5, out of range; allowed: a number in [0, 1]',
    ]);
    expect(load('model: tiny\nseed: -1\nsteps: 5\n')).toEqual(['seed: got -1, out of range; allowed: an integer ≥ 0']);
    expect(load('model: tiny\nseed: 9007199254740993\nsteps: 5\n')[0]).toMatch(
      /^seed: got 9007199254740992, out of range/,
    );
  });

  it('unknown keys are rejected with the nearest valid key', () => {
    expect(load(base + 'params: { legitmacy: 0.5 }\n')).toEqual([
      'params.legitmacy: unknown key; did you mean `legitimacy`?',
    ]);
    expect(load('model: tiny\nseed: 1\nstpes: 5\n')).toEqual([
      'steps: required, missing; allowed: an integer in [1, 2_147_483_647]',
      'stpes: unknown key; did you mean `steps`?',
    ]);
    expect(load(base + 'params: { zzzzzz: 1 }\n')[0]).toMatch(
      /^params.zzzzzz: unknown key; allowed keys: agents, rate, mode/,
    );
  });

  it('enum values and model names get suggestions', () => {
    expect(load(base + 'params: { mode: storn }\n')).toEqual([
      'params.mode: got "storn"; allowed: one of "calm", "storm"; did you mean `storm`?',
    ]);
    expect(load('model: tinny\nseed: 1\nsteps: 5\n')).toEqual([
      'model: got "tinny"; allowed: one of "tiny"; did you mean `tiny`?',
    ]);
  });

  it('reports every problem at once, one line each, under a header naming the file', () => {
    const f = file('model: tiny\nseed: -3\nsteps: 0\nparams: { rate: 2, mode: x }\n');
    let msg = '';
    try {
      loadScenarioFile(f, { registry: testRegistry, dir: presets });
    } catch (e) {
      msg = (e as Error).message;
    }
    const lines = msg.split('\n');
    expect(lines[0]).toBe(`${f}: 4 problems:`);
    expect(lines.slice(1).map((l) => l.trim().split(':')[0])).toEqual(['seed', 'steps', 'params.rate', 'params.mode']);
  });

  it('missing file gives a clear message', () => {
    expect(problems(() => loadScenarioFile(join(dir, 'nope.yaml'), { registry: testRegistry, dir: presets }))).toEqual([
      `scenario file not found: ${join(dir, 'nope.yaml')}`,
    ]);
  });

  it('invalid YAML reports line and column', () => {
    const f = file('model: tiny\nseed: 1\nparams: { rate: 0.5\nsteps: 3\n');
    const p = problems(() => loadScenarioFile(f, { registry: testRegistry, dir: presets }));
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]).toMatch(new RegExp(`^${f.replace(/[.]/g, '\\.')}:\\d+:\\d+: invalid YAML: `));
    expect(problems(() => parseScenarioYaml('a: 1\nb: { c: 1 }\na: 2\n', 'dup.yaml'))).toEqual([
      'dup.yaml:3:1: duplicate key "a"',
    ]);
    expect(problems(() => parseScenarioYaml('', 'empty.yaml'))[0]).toMatch(/empty/);
    expect(problems(() => resolveScenario([1, 2], { registry: testRegistry, origin: 'x' }))[0]).toMatch(
      /must be a YAML mapping/,
    );
  });

  it('memory check refuses a state that does not fit, with the figure it needs', () => {
    const s = loadScenarioFile(file(base + 'params: { agents: 100000000000 }\n'), {
      registry: testRegistry,
      dir: presets,
    });
    expect(problems(() => checkMemory(s, testRegistry, 2 ** 30))).toEqual([
      'params: this scenario needs 93.1 GiB of state for 100,000,000,000 agents (1.0 bytes each), but only 1.0 GiB is available; reduce the population',
    ]);
    expect(checkMemory(s, testRegistry, 2 ** 40).stateBytes).toBeGreaterThan(1e11);
  });
});

describe('presets', () => {
  it('lists presets and loads one', () => {
    expect(listPresets(presets)).toEqual(['tiny-base']);
    const p = loadPreset('tiny-base', { registry: testRegistry, dir: presets });
    expect(p).toMatchObject({ name: 'tiny-base', preset: 'tiny-base', seed: 7, steps: 10 });
    expect(p.sources.legitimacy).toEqual(['EP', 'NL']);
  });

  it('an unknown preset lists valid names with the nearest one', () => {
    expect(problems(() => loadPreset('tiny-bse', { registry: testRegistry, dir: presets }))).toEqual([
      'preset: unknown preset "tiny-bse"; did you mean `tiny-base`?; valid presets: tiny-base',
    ]);
    expect(load(base + 'preset: nope\n')[0]).toMatch(/^preset: unknown preset "nope".*valid presets: tiny-base/);
  });

  it('a user file starts from a preset and overrides params key by key', () => {
    const s = loadScenarioFile(file('preset: tiny-base\nseed: 3\nparams: { mode: storm }\n'), {
      registry: testRegistry,
      dir: presets,
    });
    expect(s).toMatchObject({ model: 'tiny', preset: 'tiny-base', seed: 3, steps: 10 });
    expect(s.params).toMatchObject({ agents: 20, rate: 0.25, mode: 'storm' });
    expect(s.name).toBeUndefined();
  });

  it('CLI-style overrides are validated like file values', () => {
    const p = problems(() =>
      loadPreset('tiny-base', { registry: testRegistry, dir: presets, overrides: { steps: 0, threads: 'x' } }),
    );
    expect(p).toEqual([
      'steps: got 0, out of range; allowed: an integer in [1, 2_147_483_647]',
      'threads: got string "x"; allowed: an integer in [1, 256]',
    ]);
  });

  it('preset files need a name equal to the file name and a known source for every parameter', () => {
    writeFileSync(
      join(presets, 'bad.yaml'),
      'name: other\ndescription: d\nmodel: tiny\nseed: 1\nsteps: 2\nparams: { rate: 0.1, mode: storm }\nsources: { rate: EPP, agents: assumption, ratee: EP }\n',
    );
    const p = problems(() => loadPreset('bad', { registry: testRegistry, dir: presets }));
    expect(p).toContain('name: got "other"; allowed: "bad" (a preset\'s name is its file name)');
    expect(p).toContain('sources.ratee: no parameter "ratee" in model tiny; did you mean `rate`?');
    expect(
      p.some(
        (l) => l.startsWith('sources.rate: got "EPP", not in the sources registry') && l.includes('did you mean `EP`?'),
      ),
    ).toBe(true);
    expect(p).toContain(
      'sources.mode: missing; every parameter of a preset needs a source id or "assumption" (on it or on a parent path)',
    );
    // agents is not written in the file: it keeps the model default and needs no source here
    expect(p.filter((l) => l.includes('missing'))).toEqual([
      'sources.mode: missing; every parameter of a preset needs a source id or "assumption" (on it or on a parent path)',
    ]);
  });

  it('sources may name nested leaves by dotted path, or cover a subtree from a parent path', () => {
    const head = 'name: nested\ndescription: d\nmodel: tiny\nseed: 1\nsteps: 2\n';
    const params = 'params:\n  groups:\n    - { name: a, share: 0.4 }\n    - { name: b, share: 0.6 }\n';
    writeFileSync(
      join(presets, 'nested.yaml'),
      head + params + 'sources:\n  groups.0.name: assumption\n  groups.0.shre: EP\n  groups.1: NL\n',
    );
    expect(problems(() => loadPreset('nested', { registry: testRegistry, dir: presets }))).toEqual([
      'sources.groups.0.shre: no parameter "groups.0.shre" in model tiny; did you mean `groups.0.share`?',
      'sources.groups.0.share: missing; every parameter of a preset needs a source id or "assumption" (on it or on a parent path)',
    ]);
    writeFileSync(
      join(presets, 'nested.yaml'),
      head + params + 'sources:\n  groups.0.name: assumption\n  groups.0.share: [EP, NL]\n  groups.1: NL\n',
    );
    const ok = loadPreset('nested', { registry: testRegistry, dir: presets });
    expect(ok.sources).toEqual({ 'groups.0.name': ['assumption'], 'groups.0.share': ['EP', 'NL'], 'groups.1': ['NL'] });
    expect(
      problems(() =>
        loadScenarioFile(file(base + 'sources: { groups.3.name: EP }\n'), { registry: testRegistry, dir: presets }),
      ),
    ).toEqual([
      'sources.groups.3.name: no parameter "groups.3.name" in model tiny; "groups" is a list with items 0 to 0',
    ]);
  });
});

describe('sources registry', () => {
  it('holds every id of the research Sources list, plus assumption, each with a citation', () => {
    const fromFacts =
      'EP ND-spec ND-plan NL MS MS-PR ME OD PD13 XH14 CD13 CD17 BS18 CD18 SH19a SCMP19 DH26 PD25 AF AF2 NP18a NP18b PD19 MG19 SPC-P CB20 CLT-R1 CLT-R2 CLT-RX CLT-GR CLT-MOU ESS EN19 EN21 KO19 FU18 KA20 ME20 TR-A LIU IHS-a IHS-b CT20 CT19 SP20 IPVM CDT19 CSET IE18 CS18 PEI21 WP-G TB GT17 ST17 DW08 SI EIR HRW19 ET19 TV19 CC17 CA19 CSIS19 PD16 NE SHND GR KU91 CWM MR13 KH11 FO12 LE18 TJ BJ02 XU21 DL18 AZ ODD06 ODD10 ODD20 ODD-G ODD-K POM05 POM12 AX96 ASC EN18 LI16 DAF25 '
        .trim()
        .split(' ');
    expect(fromFacts.length).toBe(91);
    // The repression–dissent literature behind the regime model's response channels, and the
    // sources of the regional profiles (the Nairobi Safe City).
    const repression = 'LI87 DA07 NA13 HM06 TY06 SKO06 ST08 KA06 BKYY23'.split(' ');
    const regional = 'AT20 NAT19'.split(' ');
    // Values fitted by Panopticon's own calibration to cited data (docs/validation/calibration.md).
    const calibrated = ['CAL-DL'];
    // What the platform and views mechanisms cite (censorship by kind of post, private and expressed views).
    const mechanisms = 'KPR13 KPR14 ZHU13 RT19 CCS24'.split(' ');
    const ids = [...fromFacts, ...repression, ...regional, ...calibrated, ...mechanisms, 'assumption'];
    for (const id of ids) expect(isSourceId(id), id).toBe(true);
    expect(Object.keys(sources).sort()).toEqual([...ids].sort());
    for (const c of Object.values(sources)) expect(c.length).toBeGreaterThan(5);
    expect(sources.EP).toMatch(/Epstein.*civil violence.*PNAS 99/);
  });
});

describe('helpers', () => {
  it('edit distance and nearest', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(nearest('legitmacy', ['legitimacy', 'rate'])).toBe('legitimacy');
    expect(nearest('qqqq', ['legitimacy', 'rate'])).toBeUndefined();
  });

  it('the scenario hash covers what determines results, not names or threads', () => {
    const a = loadPreset('tiny-base', { registry: testRegistry, dir: presets });
    const b = loadPreset('tiny-base', { registry: testRegistry, dir: presets, overrides: { threads: 2 } });
    const c = loadPreset('tiny-base', { registry: testRegistry, dir: presets, overrides: { seed: 8 } });
    expect(scenarioHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(scenarioHash(b)).toBe(scenarioHash(a));
    expect(scenarioHash(c)).not.toBe(scenarioHash(a));
  });
});
