/**
 * Property-based fuzzing of the scenario loader (fast-check): random and mutated YAML —
 * from the presets and from hostile shapes (aliases, depth, size, binary, unusual numbers,
 * many keys, long tokens) — always yields a valid scenario or a clear UserError, within a
 * CPU-time bound and with a bounded message; never another exception, a hang or megabytes of
 * output.
 *
 * CI runs FUZZ_RUNS cases (default 150). A longer run, e.g. overnight:
 *
 *   FUZZ_RUNS=20000 npx vitest run test/scenario-fuzz.test.ts
 *
 * A failure prints fast-check's seed and path; reproduce it with
 * FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run test/scenario-fuzz.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { models } from '../src/models/registry.js';
import { isUserError, MAX_LISTED_PROBLEMS } from '../src/scenario/errors.js';
import { defaultPresetsDir, loadScenarioFile } from '../src/scenario/load.js';
import { checkMemory } from '../src/scenario/resolve.js';
import { MAX_SCENARIO_BYTES } from '../src/scenario/yaml.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : undefined;
const PATH = process.env.FUZZ_PATH;
/**
 * Per case, in CPU seconds of this process (user + system): the machine running the tests
 * may be shared and oversubscribed, which stretches wall time but not the work done. The
 * loader needs well under a second of CPU for the largest accepted file; the bound leaves
 * room for a slow CI host and still fails a quadratic path (60,000 keys took 37 s before)
 * or a hang (which the test timeout also catches).
 */
const CPU_BOUND_MS = 5_000;
/** 20 problem lines of at most 400 characters, a header, and the origin path on each. */
const MESSAGE_BOUND = 16 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'pano-fuzz-'));
const presetsDir = defaultPresetsDir();
const presetTexts = readdirSync(presetsDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => readFileSync(join(presetsDir, f), 'utf8'));
const presetNames = readdirSync(presetsDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -5));

const UNUSUAL = [
  '1e400',
  '-1e400',
  '1e-400',
  '.nan',
  '.inf',
  '-.inf',
  '0x7fffffff',
  '0o17',
  '0b101',
  '9007199254740993',
  '-0',
  '1_000',
  '12e',
  '.5',
  '+1',
  '"1"',
  '~',
  'null',
  'true',
  '[]',
  '{}',
  '!!binary aGVsbG8=',
  '!!str 5',
  '!!float 1',
  '!custom 3',
  '2001-12-14',
  '*undefined_alias',
  '&anchor 4',
  '1e15',
  '4294967296',
  '-1',
  '0',
];

const text = (s: string) => new TextEncoder().encode(s);

/** A preset's text with a few edits. */
const mutatedPreset = fc
  .tuple(
    fc.constantFrom(...presetTexts),
    fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant('insert' as const),
          at: fc.nat(),
          s: fc.string({ unit: 'binary', maxLength: 40 }),
        }),
        fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.nat({ max: 200 }) }),
        fc.record({ kind: fc.constant('dupLine' as const), at: fc.nat() }),
        fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
        fc.record({ kind: fc.constant('number' as const), at: fc.nat(), v: fc.constantFrom(...UNUSUAL) }),
        fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
        fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([base, edits]) => {
    let s = base;
    for (const e of edits) {
      const lines = s.split('\n');
      const li = (n: number) => n % Math.max(1, lines.length);
      if (e.kind === 'insert') {
        const at = e.at % (s.length + 1);
        s = s.slice(0, at) + e.s + s.slice(at);
      } else if (e.kind === 'delete') {
        const at = e.at % (s.length + 1);
        s = s.slice(0, at) + s.slice(at + e.n);
      } else if (e.kind === 'dupLine') {
        const i = li(e.at);
        lines.splice(i, 0, lines[i]);
        s = lines.join('\n');
      } else if (e.kind === 'swapLines') {
        const [i, j] = [li(e.a), li(e.b)];
        [lines[i], lines[j]] = [lines[j], lines[i]];
        s = lines.join('\n');
      } else if (e.kind === 'number') {
        let k = 0;
        const target = e.at % 50;
        s = s.replace(/(?<=: )-?\d[\d_.e+-]*/g, (m) => (k++ === target ? e.v : m));
      } else if (e.kind === 'indent') {
        const i = li(e.at);
        lines[i] = e.by >= 0 ? ' '.repeat(e.by) + lines[i] : lines[i].slice(-e.by);
        s = lines.join('\n');
      } else {
        s = s.slice(0, e.at % (s.length + 1));
      }
    }
    return text(s);
  });

/** A user file starting from a preset and setting a few (possibly wrong) values. */
const userFile = fc
  .tuple(
    fc.constantFrom(...presetNames, 'nope', 'national-blacklis'),
    fc.array(
      fc.tuple(
        fc.constantFrom('population.agents', 'cameras.falseMatchRate', 'seed', 'steps', 'threads', 'legitimacy', 'x'),
        fc.constantFrom(...UNUSUAL, '5', '0.5', '100000'),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([preset, sets]) => {
    const top = sets.filter(([k]) => ['seed', 'steps', 'threads'].includes(k));
    const params = sets.filter(([k]) => !['seed', 'steps', 'threads'].includes(k));
    const nest = (path: string, v: string) => {
      const parts = path.split('.');
      return parts.map((p, i) => `${'  '.repeat(i + 1)}${p}:${i === parts.length - 1 ? ` ${v}` : ''}`).join('\n');
    };
    return text(
      `preset: ${preset}\n${top.map(([k, v]) => `${k}: ${v}`).join('\n')}\n${params.length ? `params:\n${params.map(([k, v]) => nest(k, v)).join('\n')}\n` : ''}`,
    );
  });

/** Shapes meant to hurt a parser or a validator. */
const hostile = fc.oneof(
  // deep nesting, flow or block
  fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('[', '{a: ', 'block')).map(([n, kind]) => {
    if (kind === 'block') {
      const m = Math.min(n, 600); // indentation is quadratic in bytes: stay under the size bound mostly
      return text(Array.from({ length: m }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + `\n${' '.repeat(m)}v: 1\n`);
    }
    return text(
      `model: contagion\nseed: 1\nsteps: 2\nparams: ${kind.repeat(n)}1${(kind === '[' ? ']' : '}').repeat(n)}\n`,
    );
  }),
  // many keys in one mapping (the old quadratic path), possibly duplicated
  fc.tuple(fc.integer({ min: 1, max: 70_000 }), fc.boolean()).map(([n, dup]) => {
    const keys = Array.from({ length: n }, (_, i) => `  k${dup ? i % 1000 : i}: ${i}`);
    return text(`model: contagion\nseed: 1\nsteps: 2\nparams:\n${keys.join('\n')}\n`);
  }),
  // alias chains (billion laughs) and wide aliasing of a big anchor
  fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 })).map(([width, depth]) => {
    let y = `a0: &a0 [${Array(width).fill('"xxxxxxxx"').join(', ')}]\n`;
    for (let d = 1; d <= depth; d++)
      y += `a${d}: &a${d} [${Array(width)
        .fill(`*a${d - 1}`)
        .join(', ')}]\n`;
    return text(y);
  }),
  fc
    .tuple(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 60_000 }))
    .map(([aliases, len]) =>
      text(
        `model: contagion\nseed: 1\nsteps: 2\nbig: &big [${Array(len).fill('1').join(',')}]\nparams:\n${Array.from({ length: aliases }, (_, i) => `  p${i}: *big`).join('\n')}\n`,
      ),
    ),
  // long tokens echoed in messages: a key, a model name, a string value, a source id
  fc
    .tuple(fc.integer({ min: 1, max: 600_000 }), fc.constantFrom('key', 'model', 'value', 'source', 'preset'))
    .map(([n, where]) => {
      const long = 'q'.repeat(n);
      if (where === 'key') return text(`model: contagion\nseed: 1\nsteps: 2\nparams: { ${long}: 1 }\n`);
      if (where === 'model') return text(`model: ${long}\nseed: 1\nsteps: 2\n`);
      if (where === 'source') return text(`preset: epstein-run1\nsources: { ${long}: ${long} }\n`);
      if (where === 'preset') return text(`preset: ${long}\n`);
      return text(`model: contagion\nseed: "${long}"\nsteps: 2\n`);
    }),
  // binary and broken encodings
  fc.uint8Array({ maxLength: 70_000 }),
  fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((b) => {
    const out = b.map((x) => (x === 0 ? 0xff : x));
    return Uint8Array.of(...text('model: contagion\n'), ...out);
  }),
  // size around the bound
  fc.integer({ min: MAX_SCENARIO_BYTES - 100, max: MAX_SCENARIO_BYTES + 100 }).map((n) => {
    const head = 'model: contagion\nseed: 1\nsteps: 2\ndescription: "';
    return text(head + 'd'.repeat(Math.max(0, n - head.length - 2)) + '"\n');
  }),
  // many syntax errors
  fc.integer({ min: 1, max: 40_000 }).map((n) => text(Array(n).fill('- : : ]').join('\n'))),
  // directives, tags, several documents
  fc
    .constantFrom(
      '%YAML 1.1\n---\nmodel: contagion\nseed: 2001-12-14\nsteps: !!binary aGVsbG8=\nparams: !!set { a, b }\n',
      '%YAML 1.1\n---\nbase: &b { cells: 10 }\nmodel: contagion\nseed: 1\nsteps: 2\nparams: { <<: *b, meanCellSize: 5 }\n',
      'model: contagion\nseed: 1\nsteps: 2\n---\nmodel: epstein\n',
      '--- !!omap\n- model: contagion\n- seed: 1\n',
      '? [a, b]\n: 1\n',
      '? { a: 1 }\n: 1\nmodel: contagion\n',
      '*a : 1\n',
      'model: !custom contagion\nseed: 1\nsteps: 2\n',
      '\ufeffmodel: contagion\nseed: 1\nsteps: 2\n',
      'model: contagion\nseed: 1\nsteps: 2\nparams: { cells: 1e15, meanCellSize: 1e15 }\n',
      'model: regime\nseed: 1\nsteps: 2\nparams: { population: { agents: 1e300 } }\n',
      'preset: nation\npopulation: 1\nparams: { population: { agents: 9007199254740993 } }\n',
    )
    .map(text),
);

const anyInput = fc.oneof(
  { arbitrary: mutatedPreset, weight: 5 },
  { arbitrary: userFile, weight: 3 },
  { arbitrary: hostile, weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map(text), weight: 2 },
);

let caseNo = 0;

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

function loadOnce(bytes: Uint8Array): { ok: boolean; message: string; ms: number } {
  const f = join(dir, `case${caseNo++ % 8}.yaml`);
  writeFileSync(f, bytes);
  const t0 = process.cpuUsage();
  try {
    const s = loadScenarioFile(f, { registry: models, dir: presetsDir });
    checkMemory(s, models, 2 ** 34);
    return { ok: true, message: '', ms: cpuMs(t0) };
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { ok: false, message: e.message, ms: cpuMs(t0) };
  }
}

describe('scenario loader fuzz', () => {
  it(
    `answers ${RUNS} random and hostile files with a scenario or a bounded one-problem-per-line error, in time`,
    () => {
      let valid = 0;
      fc.assert(
        fc.property(anyInput, (bytes) => {
          const r = loadOnce(bytes);
          if (r.ok) valid++;
          expect(r.ms).toBeLessThan(CPU_BOUND_MS);
          expect(r.message.length).toBeLessThanOrEqual(MESSAGE_BOUND);
          expect(r.message.split('\n').length).toBeLessThanOrEqual(MAX_LISTED_PROBLEMS + 2);
        }),
        { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), ...(PATH ? { path: PATH } : {}) },
      );
      // the generators reach valid scenarios too, not only errors
      if (RUNS >= 100 && !PATH) expect(valid).toBeGreaterThan(0);
    },
    Math.max(300_000, RUNS * 6_000),
  );
});
