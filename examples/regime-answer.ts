/**
 * Does the regime stifle dissent or breed resentment — and on what does the answer rest?
 * docs/validation/regime.md holds this script's tables.
 *
 * Every comparison is paired on common random numbers: a regime's year against the same
 * population, seed by seed, with every surveillance and social-credit mechanism switched off
 * (police, behaviour and the response kept: the counterfactual "same country, no apparatus").
 * Differences are means over replicates with 95 % t intervals.
 *
 * - phase diagram: the regime's camera false-match rate (surveillance accuracy) × how much of
 *   each detention its cell sees (visibility of repression): Δ protest and Δ legitimacy, and
 *   which of "stifles dissent", "stifles, breeds resentment", "breeds resentment" holds;
 * - sensitivity: each response channel's parameter at both ends of its plausible range
 *   (response.ts PLAUSIBLE_RANGES), the same Δs and the targeted group's legitimacy gap;
 * - later unrest: accurate against inaccurate face recognition bought after unrest [BKYY23].
 *
 *   npx tsx examples/regime-answer.ts [--preset high-intensity] [--population 100000]
 *       [--days 365] [--replicates 3] [--threads 2] [--part phase|later|sensitivity|all]
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Executor } from '../src/engine/simulation.js';
import { runSimulation } from '../src/engine/simulation.js';
import { regimeModel, regimeParams, type RegimeParams } from '../src/models/regime/index.js';
import { PLAUSIBLE_RANGES } from '../src/models/regime/response.js';
import { models } from '../src/models/registry.js';
import { createNodeExecutor } from '../src/runtime/node-pool.js';
import { loadPreset } from '../src/scenario/load.js';

/** What a year comes to: protest, legitimacy, and the gap between the first and last group. */
export interface Year {
  readonly activeShare: number;
  readonly legitimacy: number;
  /** Final legitimacy of the first (reference) group minus the last group's. */
  readonly groupGap: number;
}

/** Mean and 95 % t half-width of paired differences. */
export interface Difference {
  readonly mean: number;
  readonly halfWidth: number;
}

/** Mechanism blocks the counterfactual switches off (everything but police, behaviour and response). */
const APPARATUS = [
  'grid',
  'informants',
  'cameras',
  'tracking',
  'platform',
  'records',
  'score',
  'lists',
  'sanctions',
  'family',
  'predictive',
  'abuse',
  'dueProcess',
  'propaganda',
] as const;

/** The same country with no apparatus. */
export function withoutApparatus(p: RegimeParams): RegimeParams {
  const q = structuredClone(p) as Record<string, unknown>;
  for (const key of APPARATUS) (q[key] as { enabled: boolean }).enabled = false;
  return regimeParams.parse(q);
}

/** A copy of p with the dotted path set to v (validated). */
export function withValue(p: RegimeParams, path: string, v: unknown): RegimeParams {
  const q = structuredClone(p) as Record<string, unknown>;
  const keys = path.split('.');
  let o = q as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[keys.at(-1)!] = v;
  return regimeParams.parse(q);
}

export async function year(
  p: RegimeParams,
  days: number,
  seed: number,
  executor: Executor,
  fromDay = 1,
): Promise<Year> {
  let activeSum = 0;
  let last: Float64Array | undefined;
  let at: (name: string, key?: string) => number = () => -1;
  await runSimulation(regimeModel, p, {
    seed,
    steps: days,
    executor,
    onTick: (tick, values) => {
      if (tick === 0) {
        const metrics = regimeModel.layout(p).metrics;
        at = (name, key = '') => metrics.findIndex((m) => m.name === name && m.key === key);
      } else if (tick >= fromDay) activeSum += values[at('active')] / values[at('adults')];
      last = values;
    },
  });
  const groups = p.population.groups.map((g) => `group=${g.name}`);
  const L = (key = '') => last![at('legitimacy_mean', key)];
  return {
    activeShare: activeSum / (days - fromDay + 1),
    legitimacy: L(),
    groupGap: L(groups[0]) - L(groups[groups.length - 1]),
  };
}

/** Student t quantile for a two-sided 95 % interval with n − 1 degrees of freedom (n ≤ 31). */
const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
function t95(df: number): number {
  return df < T95.length ? T95[df] : 1.96 + 2.5 / df;
}

export function difference(xs: readonly number[]): Difference {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { mean, halfWidth: NaN };
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  return { mean, halfWidth: (t95(n - 1) * sd) / Math.sqrt(n) };
}

/** Below zero, above zero, or not distinguishable from zero at 95 %. */
function sign(d: Difference): -1 | 0 | 1 {
  if (d.mean + d.halfWidth < 0) return -1;
  if (d.mean - d.halfWidth > 0) return 1;
  return 0;
}

/** The reading of a regime's paired effect on protest and legitimacy. */
export function reading(protest: Difference, legitimacy: Difference): string {
  const p = sign(protest);
  const l = sign(legitimacy);
  if (p < 0 && l >= 0) return 'stifles dissent';
  if (p < 0 && l < 0) return 'stifles, breeds resentment';
  if (p > 0 && l < 0) return 'breeds resentment';
  if (p === 0 && l < 0) return 'resentment, no more protest';
  if (p > 0) return 'more protest';
  return 'no clear effect';
}

export interface Effect {
  /** The counterfactual's own levels (means over seeds): what the differences are against. */
  readonly without: { readonly activeShare: number; readonly legitimacy: number };
  readonly protest: Difference;
  readonly legitimacy: Difference;
  readonly groupGap: Difference;
  readonly reading: string;
}

/** The regime's paired effect against its counterfactual over seeds 1…replicates. */
export async function effect(
  regime: RegimeParams,
  days: number,
  replicates: number,
  executor: Executor,
  counterfactuals?: Year[],
): Promise<Effect> {
  const dp: number[] = [];
  const dl: number[] = [];
  const gaps: number[] = [];
  let baseActive = 0;
  let baseLegitimacy = 0;
  const off = withoutApparatus(regime);
  for (let seed = 1; seed <= replicates; seed++) {
    const a = await year(regime, days, seed, executor);
    const b = counterfactuals?.[seed - 1] ?? (await year(off, days, seed, executor));
    baseActive += b.activeShare / replicates;
    baseLegitimacy += b.legitimacy / replicates;
    dp.push(a.activeShare - b.activeShare);
    dl.push(a.legitimacy - b.legitimacy);
    gaps.push(a.groupGap);
  }
  const protest = difference(dp);
  const legitimacy = difference(dl);
  return {
    without: { activeShare: baseActive, legitimacy: baseLegitimacy },
    protest,
    legitimacy,
    groupGap: difference(gaps),
    reading: reading(protest, legitimacy),
  };
}

export interface PhaseCell extends Effect {
  readonly falseMatchRate: number;
  readonly detentionsSeen: number;
}

/** The phase diagram over the camera false-match rate × the visibility of detentions. */
export async function phaseDiagram(
  base: RegimeParams,
  falseMatchRates: readonly number[],
  visibilities: readonly number[],
  days: number,
  replicates: number,
  executor: Executor,
  progress: (done: number, total: number) => void = () => {},
): Promise<PhaseCell[]> {
  const cells: PhaseCell[] = [];
  let done = 0;
  const total = falseMatchRates.length * visibilities.length;
  for (const detentionsSeen of visibilities) {
    // Visibility changes nothing in the counterfactual but what its cells see of arrests.
    const seenBase = withValue(
      withValue(base, 'police.detentionsSeen', detentionsSeen),
      'predictive.detentionsSeen',
      detentionsSeen,
    );
    const off: Year[] = [];
    for (let seed = 1; seed <= replicates; seed++)
      off.push(await year(withoutApparatus(seenBase), days, seed, executor));
    for (const falseMatchRate of falseMatchRates) {
      const regime = withValue(seenBase, 'cameras.falseMatchRate', falseMatchRate);
      cells.push({ falseMatchRate, detentionsSeen, ...(await effect(regime, days, replicates, executor, off)) });
      progress(++done, total);
    }
  }
  return cells;
}

export interface SensitivityRow {
  readonly parameter: string;
  readonly value: number;
  readonly effect: Effect;
}

/** Each response channel's parameter at both ends of its plausible range, the rest at the preset's values. */
export async function sensitivity(
  base: RegimeParams,
  days: number,
  replicates: number,
  executor: Executor,
  parameters: readonly string[] = Object.keys(PLAUSIBLE_RANGES),
  progress: (done: number, total: number) => void = () => {},
): Promise<SensitivityRow[]> {
  const rows: SensitivityRow[] = [];
  const total = 1 + 2 * parameters.length;
  rows.push({ parameter: '(preset values)', value: NaN, effect: await effect(base, days, replicates, executor) });
  progress(1, total);
  for (const parameter of parameters) {
    for (const value of PLAUSIBLE_RANGES[parameter as keyof typeof PLAUSIBLE_RANGES]) {
      const p = withValue(base, `response.${parameter}`, value);
      rows.push({ parameter, value, effect: await effect(p, days, replicates, executor) });
      progress(rows.length, total);
    }
  }
  return rows;
}

export interface LaterUnrest {
  readonly arrestsPerOfficerPerDay: number;
  readonly regime: string;
  readonly protest: Difference;
  readonly legitimacy: Difference;
}

/**
 * A documented pattern [BKYY23]: surveillance bought after unrest suppresses later unrest.
 * From a restless start (legitimacy 0.7), a police-only country against the same country
 * with face-recognition cameras that are accurate, or that falsely match the innocent:
 * protest in the second half of the year and final legitimacy, paired by seed.
 */
export async function laterUnrest(
  base: RegimeParams,
  days: number,
  replicates: number,
  executor: Executor,
  capacities: readonly number[] = [1, 5],
): Promise<LaterUnrest[]> {
  const out: LaterUnrest[] = [];
  const half = Math.floor(days / 2) + 1;
  for (const arrestsPerOfficerPerDay of capacities) {
    const restless = withValue(
      withValue(withoutApparatus(base), 'behaviour.initialLegitimacy', 0.7),
      'police.arrestsPerOfficerPerDay',
      arrestsPerOfficerPerDay,
    );
    const cameras = (falseMatchRate: number): RegimeParams => {
      const q = structuredClone(restless) as RegimeParams;
      q.cameras = { ...q.cameras, enabled: true, falseMatchRate };
      for (const r of q.population.regions) r.camerasPerThousand = 120;
      return regimeParams.parse(q);
    };
    const none: Year[] = [];
    for (let seed = 1; seed <= replicates; seed++) none.push(await year(restless, days, seed, executor, half));
    for (const [regime, p] of [
      ['accurate cameras (no false matches)', cameras(0)],
      ['inaccurate cameras (false-match rate 0.003)', cameras(0.003)],
    ] as const) {
      const dp: number[] = [];
      const dl: number[] = [];
      for (let seed = 1; seed <= replicates; seed++) {
        const y = await year(p, days, seed, executor, half);
        dp.push(y.activeShare - none[seed - 1].activeShare);
        dl.push(y.legitimacy - none[seed - 1].legitimacy);
      }
      out.push({ arrestsPerOfficerPerDay, regime, protest: difference(dp), legitimacy: difference(dl) });
    }
  }
  return out;
}

const fmt = (d: Difference, digits = 3): string =>
  `${d.mean >= 0 ? '+' : '−'}${Math.abs(d.mean).toFixed(digits)} ± ${d.halfWidth.toFixed(digits)}`;

export function phaseTable(cells: readonly PhaseCell[]): string {
  const xs = [...new Set(cells.map((c) => c.falseMatchRate))];
  const ys = [...new Set(cells.map((c) => c.detentionsSeen))];
  const lines = [
    `| detentions seen \\ false-match rate | ${xs.join(' | ')} | without the apparatus |`,
    `| --- | ${xs.map(() => '---').join(' | ')} | --- |`,
  ];
  for (const y of [...ys].reverse()) {
    const row = xs.map((x) => {
      const c = cells.find((k) => k.falseMatchRate === x && k.detentionsSeen === y)!;
      return `**${c.reading}**<br>protest ${fmt(c.protest, 4)}<br>legitimacy ${fmt(c.legitimacy)}`;
    });
    const w = cells.find((k) => k.detentionsSeen === y)!.without;
    lines.push(
      `| ${y} | ${row.join(' | ')} | protest ${w.activeShare.toFixed(4)}<br>legitimacy ${w.legitimacy.toFixed(3)} |`,
    );
  }
  return lines.join('\n');
}

export function sensitivityTable(rows: readonly SensitivityRow[]): string {
  const lines = [
    '| parameter | value | protest share without | Δ protest share | legitimacy without | Δ legitimacy | group gap | reading |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const v = Number.isNaN(r.value) ? '' : String(r.value);
    lines.push(
      `| ${r.parameter} | ${v} | ${r.effect.without.activeShare.toFixed(4)} | ${fmt(r.effect.protest, 4)} | ${r.effect.without.legitimacy.toFixed(3)} | ${fmt(r.effect.legitimacy)} | ${fmt(r.effect.groupGap)} | ${r.effect.reading} |`,
    );
  }
  return lines.join('\n');
}

export function laterUnrestTable(rows: readonly LaterUnrest[]): string {
  return [
    '| arrests per officer a day | regime | Δ protest share (second half of the year) | Δ final legitimacy |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.arrestsPerOfficerPerDay} | ${r.regime} | ${fmt(r.protest, 4)} | ${fmt(r.legitimacy)} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const preset = arg('preset', 'high-intensity');
  const population = Number(arg('population', '100000'));
  const days = Number(arg('days', '365'));
  const replicates = Number(arg('replicates', '3'));
  const part = arg('part', 'all');
  const executor = await createNodeExecutor(Number(arg('threads', '2')));
  const base = regimeParams.parse(loadPreset(preset, { registry: models, overrides: { population } }).params);
  const say = (what: string) => (done: number, total: number) => process.stderr.write(`\r${what} ${done}/${total}`);
  try {
    console.log(`# ${preset}, ${population.toLocaleString('en-US')} residents × ${days} days, ${replicates} seeds\n`);
    if (part === 'all' || part === 'phase') {
      const cells = await phaseDiagram(
        base,
        [0, 0.0001, 0.0003, 0.001, 0.003],
        [0, 0.25, 0.5, 0.75, 1],
        days,
        replicates,
        executor,
        say('phase diagram'),
      );
      console.log(`## Phase diagram\n\n${phaseTable(cells)}\n`);
    }
    if (part === 'all' || part === 'later') {
      const rows = await laterUnrest(base, days, replicates, executor);
      console.log(`## Later unrest after cameras are bought\n\n${laterUnrestTable(rows)}\n`);
    }
    if (part === 'all' || part === 'sensitivity') {
      const rows = await sensitivity(base, days, replicates, executor, undefined, say('sensitivity'));
      console.log(`## Sensitivity\n\n${sensitivityTable(rows)}\n`);
    }
  } finally {
    process.stderr.write('\n');
    await executor.close();
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) await main();
