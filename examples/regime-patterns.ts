/**
 * Example and validation aid: one simulated year of every regime preset, reduced to the
 * figures that can be set beside documented patterns (pattern-oriented modelling [POM05]):
 * protest and legitimacy, by group; who is held without an act of their own, by group; the
 * blacklist's exits ÷ entries and blocked flights per listed person-day; the share of
 * informant tips that are true; the precision of pre-emptive detention; how much criticism
 * is self-censored; false matches and their disparity.
 * Prints Markdown tables (docs/validation/regime.md §3 holds them; `npm run docs:validation`
 * writes them there).
 *
 *   npx tsx examples/regime-patterns.ts [--population 200000] [--days 365] [--threads 2]
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runSimulation, LocalExecutor } from '../src/engine/simulation.js';
import type { RegimeParams } from '../src/models/regime/index.js';
import { models } from '../src/models/registry.js';
import { createNodeExecutor } from '../src/runtime/node-pool.js';
import { listPresets, loadPreset } from '../src/scenario/load.js';

export interface PresetYear {
  readonly preset: string;
  /** Mean over days 1…T of the share of adults who protested that day (arrested or not). */
  readonly meanActiveShare: number;
  readonly finalLegitimacy: number;
  /** Final legitimacy of the last group (the minority) minus the first's (the majority). */
  readonly legitimacyGap: number;
  readonly arrests: number;
  readonly arrestsOfInnocents: number;
  readonly preemptiveDetentions: number;
  /** Mean over days of adults held unjustly (pre-emptively or for an act not done, or listed for one), per 1,000 adults of the first and of the last group. */
  readonly heldUnjustlyFirst: number;
  readonly heldUnjustlyLast: number;
  readonly blacklistEntries: number;
  readonly exitsPerEntry: number;
  /** Blocked flight purchases ÷ listed person-days (NaN without joint punishment), and the two counts. */
  readonly flightBlocksPerListedDay: number;
  readonly flightBlocks: number;
  readonly listedDays: number;
  readonly trueTipShare: number;
  readonly preemptivePrecision: number;
  readonly postsWrittenPerWanted: number;
  readonly falseMatches: number;
  readonly minorityFalseMatchDisparity: number;
}

// Summed over days 1…T: flows give the year's totals, the stock `blacklisted` listed person-days.
const SUMMED = [
  'detentions_reactive',
  'detentions_reactive_false',
  'detentions_preemptive',
  'preemptive_true',
  'blacklist_entries',
  'blacklist_exits',
  'blacklisted',
  'blocked_flight',
  'reports_true',
  'reports_false',
  'reports_malicious',
  'posts_desired',
  'posts_expressed',
  'false_camera',
] as const;

export async function presetYear(
  preset: string,
  population: number,
  days: number,
  threads: number,
): Promise<PresetYear> {
  const scenario = loadPreset(preset, { registry: models, overrides: { population, steps: days } });
  const params = scenario.params as RegimeParams;
  const entry = models.regime;
  const layout = entry.definition.layout(params);
  const at = (name: string, key = '') => {
    const k = layout.metrics.findIndex((m) => m.name === name && m.key === key);
    if (k < 0) throw new Error(`regime-patterns: no metric ${name} [${key}]`);
    return k;
  };
  const groups = params.population.groups.map((g) => `group=${g.name}`);
  const first = groups[0];
  const last = groups[groups.length - 1];
  const totals = new Map<string, number>();
  const add = (name: string, v: number) => totals.set(name, (totals.get(name) ?? 0) + v);
  let activeShareSum = 0;
  let heldFirst = 0;
  let heldLast = 0;
  let legitimacy = NaN;
  let gap = NaN;
  let disparity = NaN;
  const executor = threads > 1 ? await createNodeExecutor(threads) : new LocalExecutor();
  try {
    await runSimulation(entry.definition, params, {
      seed: scenario.seed,
      steps: days,
      executor,
      onTick: (tick, v) => {
        legitimacy = v[at('legitimacy_mean')];
        gap = v[at('legitimacy_mean', last)] - v[at('legitimacy_mean', first)];
        if (groups.length > 1) disparity = v[at('disparity_false_camera', last)];
        // Daily statistics exclude tick 0, the state before the first day.
        if (tick === 0) return;
        activeShareSum += v[at('active')] / v[at('adults')];
        heldFirst += (1000 * v[at('held_unjustly', first)]) / v[at('adults', first)];
        heldLast += (1000 * v[at('held_unjustly', last)]) / v[at('adults', last)];
        for (const name of SUMMED) add(name, v[at(name)]);
      },
    });
  } finally {
    await executor.close();
  }
  const t = (name: string) => totals.get(name) ?? 0;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
  const tips = t('reports_true') + t('reports_false') + t('reports_malicious');
  return {
    preset,
    meanActiveShare: activeShareSum / days,
    finalLegitimacy: legitimacy,
    legitimacyGap: gap,
    arrests: t('detentions_reactive'),
    arrestsOfInnocents: t('detentions_reactive_false'),
    preemptiveDetentions: t('detentions_preemptive'),
    heldUnjustlyFirst: heldFirst / days,
    heldUnjustlyLast: heldLast / days,
    blacklistEntries: t('blacklist_entries'),
    exitsPerEntry: ratio(t('blacklist_exits'), t('blacklist_entries')),
    // Without joint punishment nobody is blocked: no rate to compare.
    flightBlocksPerListedDay: params.sanctions.enabled ? ratio(t('blocked_flight'), t('blacklisted')) : NaN,
    flightBlocks: t('blocked_flight'),
    listedDays: t('blacklisted'),
    trueTipShare: ratio(t('reports_true'), tips),
    preemptivePrecision: ratio(t('preemptive_true'), t('detentions_preemptive')),
    postsWrittenPerWanted: ratio(t('posts_expressed'), t('posts_desired')),
    falseMatches: t('false_camera'),
    minorityFalseMatchDisparity: disparity,
  };
}

/** The regime presets one can run on a machine of this size (nation needs --population). */
export function regimePresets(): string[] {
  return listPresets().filter((p) => loadPreset(p, { registry: models }).model === 'regime' && p !== 'nation');
}

const fmt = (x: number, digits = 3) =>
  !Number.isFinite(x) ? '–' : Number.isInteger(x) ? x.toLocaleString('en-US') : x.toFixed(digits);
const signedFmt = (x: number, digits = 3) => {
  if (!Number.isFinite(x)) return '–';
  const shown = Math.abs(x).toFixed(digits);
  return `${Number(shown) === 0 ? '' : x < 0 ? '−' : '+'}${shown}`;
};

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** Stability and harm, one row per preset. */
export function stabilityTable(years: readonly PresetYear[]): string {
  return table(
    [
      'preset',
      'mean protest share',
      'final legitimacy',
      'legitimacy gap (minority − majority)',
      'arrests',
      'of people who did not protest',
      'pre-emptive detentions',
      'held unjustly per 1,000 adults (majority / minority)',
    ],
    years.map((y) => [
      y.preset,
      fmt(y.meanActiveShare, 4),
      fmt(y.finalLegitimacy),
      signedFmt(y.legitimacyGap),
      fmt(y.arrests),
      fmt(y.arrestsOfInnocents),
      fmt(y.preemptiveDetentions),
      `${fmt(y.heldUnjustlyFirst, 2)} / ${fmt(y.heldUnjustlyLast, 2)}`,
    ]),
  );
}

/** The figures comparable with documented patterns, one row per preset. */
export function patternTable(years: readonly PresetYear[]): string {
  return table(
    [
      'preset',
      'blacklistings',
      'exits ÷ entries',
      'flights blocked per listed person-day (blocks / person-days)',
      'true tips',
      'pre-emptive precision',
      'posts expressed ÷ wanted',
      'false matches',
      'minority false-match disparity',
    ],
    years.map((y) => [
      y.preset,
      fmt(y.blacklistEntries),
      fmt(y.exitsPerEntry, 2),
      Number.isFinite(y.flightBlocksPerListedDay)
        ? `${fmt(y.flightBlocksPerListedDay, 4)} (${fmt(y.flightBlocks)} / ${fmt(y.listedDays)})`
        : '–',
      fmt(y.trueTipShare),
      fmt(y.preemptivePrecision),
      fmt(y.postsWrittenPerWanted),
      fmt(y.falseMatches),
      fmt(y.minorityFalseMatchDisparity, 2),
    ]),
  );
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const population = arg('population', 200_000);
  const days = arg('days', 365);
  const threads = arg('threads', 2);
  const years: PresetYear[] = [];
  for (const preset of regimePresets()) {
    process.stderr.write(`${preset}…\n`);
    years.push(await presetYear(preset, population, days, threads));
  }
  console.log(`${population.toLocaleString('en-US')} residents × ${days} days, seed of each preset\n`);
  console.log(`${stabilityTable(years)}\n\n${patternTable(years)}`);
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) await main();
