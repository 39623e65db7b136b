/**
 * Regenerates the computed tables of docs/validation/regime.md, each between a pair of marker
 * comments, so the prose around them stays as written:
 *
 *   <!-- docs:validation <block> begin --> … <!-- docs:validation <block> end -->
 *
 * Parts (`--part`, comma-separated; default all):
 * - patterns: a year of each regime preset (examples/regime-patterns.ts) → block `patterns`;
 * - docking: the fast day against the reference (test/regime-docking.ts, the procedure the
 *   test asserts) → blocks `docking-national-blacklist`, `docking-every-mechanism`;
 * - answer: "stifle dissent or breed resentment?" (examples/regime-answer.ts: phase diagram,
 *   later unrest, sensitivity) → blocks `answer-phase`, `answer-later`, `answer-sensitivity`.
 *   It takes 246 one-year runs, 80 minutes at 100,000 residents on two cores shared with other
 *   work (measured 6 Dec 2026); `--answer-from FILE` takes the tables from
 *   a saved output of `npx tsx examples/regime-answer.ts --part all` instead of running it.
 *
 * Every input is checked (options, the document's markers, the saved output's sections)
 * before any simulation starts. The document is replaced in one rename once every requested
 * part is computed, so an interrupted run leaves it as it was.
 *
 *   npm run docs:validation -- [--part patterns,docking,answer] [--population 200000]
 *       [--days 365] [--threads 2] [--answer-from FILE] [--answer-population 100000]
 *       [--answer-days 365] [--answer-replicates 3] [--doc docs/validation/regime.md]
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import {
  patternTable,
  presetYear,
  regimePresets,
  stabilityTable,
  type PresetYear,
} from '../examples/regime-patterns.js';
import { closeSharedExecutor } from '../test/regime-helpers.js';
import { DOCKING_CASES, SEEDS, dock, dockingTable } from '../test/regime-docking.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PARTS = ['patterns', 'docking', 'answer'] as const;
type Part = (typeof PARTS)[number];

/** The blocks each part writes; for `answer`, the section of regime-answer's output each comes from. */
export const BLOCKS: Record<Part, readonly string[]> = {
  patterns: ['patterns'],
  docking: ['docking-national-blacklist', 'docking-every-mechanism'],
  answer: ['answer-phase', 'answer-later', 'answer-sensitivity'],
};
const ANSWER_SECTIONS: Record<string, string> = {
  'answer-phase': 'Phase diagram',
  'answer-later': 'Later unrest after cameras are bought',
  'answer-sensitivity': 'Sensitivity',
};

const USAGE = `Regenerates the computed tables of docs/validation/regime.md between their marker comments.

  npm run docs:validation -- [options]

  --part LIST              comma-separated parts (default: patterns,docking,answer)
                             patterns  a year of each regime preset (examples/regime-patterns.ts)
                             docking   the fast day against the reference (test/regime-docking.ts)
                             answer    phase diagram, later unrest, sensitivity (examples/regime-answer.ts:
                                       246 one-year runs, ~80 minutes at 100,000 residents on two busy cores)
  --population N           residents per preset year (default 200000)
  --days N                 days per preset year (default 365)
  --threads N              worker threads (default 2)
  --answer-from FILE       take the answer's tables from a saved output of
                           \`npx tsx examples/regime-answer.ts --part all\` instead of running it
  --answer-commit REV      the commit that saved output was computed at (stated in the document)
  --answer-population N    residents for the answer (default 100000)
  --answer-days N          days for the answer (default 365)
  --answer-replicates N    seeds per comparison for the answer (default 3)
  --doc FILE               the document to update (default docs/validation/regime.md)
  --help                   print this and exit
`;

export const marker = (block: string, end: 'begin' | 'end') => `<!-- docs:validation ${block} ${end} -->`;

function fail(message: string): never {
  process.stderr.write(`docs:validation: ${message} (--help lists the options)\n`);
  process.exit(2);
}

/** A positive integer option, or a clear error naming it. */
function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`--${name}: got "${value}", expected a positive integer`);
  return n;
}

/** Replace the text between block's markers (the markers stay). */
export function replaceBlock(doc: string, block: string, content: string): string {
  const begin = doc.indexOf(marker(block, 'begin'));
  const end = doc.indexOf(marker(block, 'end'));
  if (begin < 0 || end < begin) throw new Error(`no markers for block "${block}"`);
  return `${doc.slice(0, begin + marker(block, 'begin').length)}\n\n${content.trim()}\n\n${doc.slice(end)}`;
}

/** The body of each `## title` section of regime-answer's output, and its `# …` header line. */
export function answerSections(output: string): { header: string; sections: Map<string, string> } {
  const header = (output.match(/^# (.+)$/m) ?? [])[1] ?? '';
  const sections = new Map<string, string>();
  const parts = output.split(/^## /m).slice(1);
  for (const part of parts) {
    const nl = part.indexOf('\n');
    sections.set(part.slice(0, nl).trim(), part.slice(nl + 1).trim());
  }
  return { header, sections };
}

function provenance(command: string): string {
  let commit = 'unknown commit';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'scenarios', 'examples', 'test'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    if (dirty) commit += ' with uncommitted changes';
  } catch {
    // not a git checkout: the date and command still say what produced the table
  }
  const date = new Date().toISOString().slice(0, 10);
  return `_Generated ${date} at ${commit} by \`${command}\`._`;
}

async function patterns(population: number, days: number, threads: number): Promise<string> {
  const years: PresetYear[] = [];
  const presets = regimePresets();
  for (const [k, preset] of presets.entries()) {
    process.stderr.write(`patterns: ${preset} (${k + 1}/${presets.length})\n`);
    years.push(await presetYear(preset, population, days, threads));
  }
  return [
    provenance(`npm run docs:validation -- --part patterns --population ${population} --days ${days}`),
    `${population.toLocaleString('en-US')} residents × ${days} days, each preset's own seed. Daily statistics are over days 1–${days}.`,
    stabilityTable(years),
    patternTable(years),
  ].join('\n\n');
}

async function docking(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [block, c] of [
    ['docking-national-blacklist', DOCKING_CASES.nationalBlacklist],
    ['docking-every-mechanism', DOCKING_CASES.everyMechanism],
  ] as const) {
    const verdicts = await dock(c.params(), c.steps, undefined, (done, total) =>
      process.stderr.write(`\rdocking: ${c.title}: seed ${done}/${total}`),
    );
    process.stderr.write('\n');
    out.set(
      block,
      [
        provenance('npm run docs:validation -- --part docking'),
        `${c.title}, ${SEEDS} seeds; means over the seeds.`,
        dockingTable(verdicts),
      ].join('\n\n'),
    );
  }
  await closeSharedExecutor();
  return out;
}

/** Run examples/regime-answer.ts and return its standard output (its progress goes to our stderr). */
function runAnswer(population: number, days: number, replicates: number, threads: number): Promise<string> {
  const args = [
    'tsx',
    join(ROOT, 'examples/regime-answer.ts'),
    '--part',
    'all',
    '--population',
    String(population),
    '--days',
    String(days),
    '--replicates',
    String(replicates),
    '--threads',
    String(threads),
  ];
  return new Promise((done, failed) => {
    const child = spawn('npx', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => (stdout += s));
    child.on('error', failed);
    child.on('close', (code) =>
      code === 0 ? done(stdout) : failed(new Error(`examples/regime-answer.ts exited with code ${code}`)),
    );
  });
}

function answerBlocks(output: string, source: string): Map<string, string> {
  const { header, sections } = answerSections(output);
  const out = new Map<string, string>();
  for (const block of BLOCKS.answer) {
    const body = sections.get(ANSWER_SECTIONS[block])!;
    out.set(block, [source, `${header}.`, body].join('\n\n'));
  }
  return out;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        part: { type: 'string', default: PARTS.join(',') },
        population: { type: 'string', default: '200000' },
        days: { type: 'string', default: '365' },
        threads: { type: 'string', default: '2' },
        'answer-from': { type: 'string' },
        'answer-commit': { type: 'string' },
        'answer-population': { type: 'string', default: '100000' },
        'answer-days': { type: 'string', default: '365' },
        'answer-replicates': { type: 'string', default: '3' },
        doc: { type: 'string', default: join(ROOT, 'docs/validation/regime.md') },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const parts = values.part.split(',').map((s) => s.trim()) as Part[];
  for (const p of parts) if (!PARTS.includes(p)) fail(`--part: got "${p}", expected some of ${PARTS.join(', ')}`);
  const population = positiveInt('population', values.population);
  const days = positiveInt('days', values.days);
  const threads = positiveInt('threads', values.threads);
  const answerPopulation = positiveInt('answer-population', values['answer-population']);
  const answerDays = positiveInt('answer-days', values['answer-days']);
  const answerReplicates = positiveInt('answer-replicates', values['answer-replicates']);
  const docPath = resolve(values.doc);
  if (!existsSync(docPath)) fail(`--doc: ${docPath} does not exist`);
  const doc = readFileSync(docPath, 'utf8');
  for (const p of parts) {
    for (const block of BLOCKS[p]) {
      const begin = doc.indexOf(marker(block, 'begin'));
      const end = doc.indexOf(marker(block, 'end'));
      if (begin < 0 || end < begin)
        fail(`${docPath} has no "${marker(block, 'begin')}" … "${marker(block, 'end')}" pair for block ${block}`);
    }
  }
  let saved: string | undefined;
  const from = values['answer-from'];
  const answerCommit = values['answer-commit'];
  if (answerCommit !== undefined) {
    if (from === undefined) fail('--answer-commit describes a saved output: give --answer-from too');
    if (!/^[0-9a-f]{7,40}$/.test(answerCommit)) fail(`--answer-commit: got "${answerCommit}", expected a commit hash`);
    try {
      execFileSync('git', ['cat-file', '-e', `${answerCommit}^{commit}`], { cwd: ROOT, stdio: 'ignore' });
    } catch {
      fail(`--answer-commit: ${answerCommit} is not a commit of this repository`);
    }
  }
  if (from !== undefined) {
    if (!parts.includes('answer')) fail('--answer-from is only read with --part answer');
    if (!existsSync(from)) fail(`--answer-from: ${from} does not exist`);
    saved = readFileSync(from, 'utf8');
    const { sections } = answerSections(saved);
    for (const title of Object.values(ANSWER_SECTIONS))
      if (!sections.get(title)?.includes('|'))
        fail(`--answer-from: ${from} has no table under "## ${title}" (run regime-answer.ts with --part all)`);
  }

  const blocks = new Map<string, string>();
  if (parts.includes('patterns')) blocks.set('patterns', await patterns(population, days, threads));
  if (parts.includes('docking')) for (const [b, s] of await docking()) blocks.set(b, s);
  if (parts.includes('answer')) {
    const output = saved ?? (await runAnswer(answerPopulation, answerDays, answerReplicates, threads));
    // A saved output names its own population, days and seeds in its header line.
    const source = saved
      ? `${provenance('npm run docs:validation -- --part answer --answer-from FILE')} The tables are copied from a saved output of \`npx tsx examples/regime-answer.ts --part all\`${answerCommit ? `, computed at commit ${answerCommit}` : ' (the commit it was computed at was not given)'}.`
      : provenance(
          `npm run docs:validation -- --part answer --answer-population ${answerPopulation} --answer-days ${answerDays} --answer-replicates ${answerReplicates}`,
        );
    const { sections } = answerSections(output);
    for (const title of Object.values(ANSWER_SECTIONS))
      if (!sections.get(title)?.includes('|')) throw new Error(`regime-answer.ts printed no table under "## ${title}"`);
    for (const [b, s] of answerBlocks(output, source)) blocks.set(b, s);
  }

  // Re-read: the document may have been edited while the simulations ran.
  let text = readFileSync(docPath, 'utf8');
  for (const [block, content] of blocks) text = replaceBlock(text, block, content);
  // Formatted as the repository formats Markdown (tables aligned), so regenerating is idempotent.
  const options = (await prettier.resolveConfig(docPath)) ?? {};
  text = await prettier.format(text, { ...options, filepath: docPath });
  const tmp = `${docPath}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, docPath);
  process.stderr.write(`docs:validation: wrote ${[...blocks.keys()].join(', ')} into ${docPath}\n`);
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) await main();
