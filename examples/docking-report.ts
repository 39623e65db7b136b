/**
 * The docking report: the published models' figures reproduced by ours, at sizes too long for
 * the test suite (docs/validation/docking.md and docs/validation/epstein.md quote its output).
 *
 *   npx tsx examples/docking-report.ts epstein --seeds 20 --ticks 1400
 *   npx tsx examples/docking-report.ts epstein --seeds 20 --ticks 5000
 *
 * `granovetter`: final participation against σ for thresholds N(0.25, σ²): the infinite crowd
 * (mean-field iteration of the CDF), one crowd of 100 with quantile thresholds, and the mean of
 * 1,000 crowds of 100 with random thresholds; where each jumps past one half.
 *
 *   npx tsx examples/docking-report.ts granovetter
 *
 * `epstein`: waiting time and activation per outburst in Run 2 for every rule set, the original
 * rules with each of their five departures from the paper reverted one at a time, and a few
 * sensitivities. Outburst = maximal run of ticks with actives > 50; wait = calm ticks between two
 * outbursts; activation = sum of actives over a complete outburst; after a burn-in of 100 ticks.
 * Means and s.d. pooled over outbursts, standard errors (s.e.) from seed-to-seed variation
 * (jackknife over seeds).
 */
import { parseArgs } from 'node:util';
import {
  type EpsteinParams,
  ORIGINAL_ALL_REVERTED,
  ORIGINAL_RULE_REVERSIONS,
  RULE_SETS,
  epsteinReferenceModel,
  jackknife,
  meanSd,
  runEpstein,
  summarizeOutbursts,
} from '../src/models/epstein/index.js';
import { criticalSd, granovetterModel, granovetterParams, meanFieldShare } from '../src/models/granovetter/index.js';
import { models } from '../src/models/registry.js';
import { runSeries } from '../src/models/run-series.js';
import { loadPreset } from '../src/scenario/load.js';

const BURN_IN = 100;

const preset = (name: string): EpsteinParams => loadPreset(name, { registry: models }).params as EpsteinParams;

export interface EpsteinVariant {
  readonly name: string;
  readonly params: Partial<EpsteinParams>;
  /** Run the reference implementation instead of the fast model. */
  readonly reference?: boolean;
}

/** Run 2 under every rule set, the original's departures reverted one at a time, sensitivities. */
export function epsteinVariants(): EpsteinVariant[] {
  const paper = preset('epstein-run2');
  const original = preset('epstein-original-run2');
  return [
    { name: 'paper rules, literal C/A (`epstein-run2`)', params: paper },
    { name: 'paper rules, ⌊C/A⌋', params: { ...paper, arrestRule: 'floor' } },
    { name: 'NetLogo rules (`netlogo-rebellion`)', params: preset('netlogo-rebellion') },
    { name: "Mesa rules, Run 2's numbers", params: { ...paper, ...RULE_SETS.mesa } },
    { name: 'original rules (`epstein-original-run2`)', params: original },
    ...Object.entries(ORIGINAL_RULE_REVERSIONS).map(([name, revert]) => ({
      name: `original, reverted: ${name}`,
      params: { ...original, ...revert },
    })),
    { name: 'original, all five reverted', params: { ...original, ...ORIGINAL_ALL_REVERTED } },
    { name: 'original, J = 15', params: { ...original, maxJailTerm: 15 } },
    { name: 'original, J = 60', params: { ...original, maxJailTerm: 60 } },
    { name: 'original, cops 0.074', params: { ...original, copDensity: 0.074 } },
  ];
}

export interface OutburstRow {
  readonly variant: string;
  readonly outbursts: number;
  readonly wait: { mean: number; meanSe: number; sd: number; sdSe: number };
  readonly onsetInterval: number;
  readonly activation: { mean: number; meanSe: number; sd: number; sdSe: number };
  readonly peak: number;
}

export async function epsteinOutbursts(variant: EpsteinVariant, seeds: number, ticks: number): Promise<OutburstRow> {
  const waits: number[][] = [];
  const intervals: number[][] = [];
  const activations: number[][] = [];
  let outbursts = 0;
  let peak = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await runEpstein(variant.params, seed, BURN_IN + ticks, {
      ...(variant.reference ? { model: epsteinReferenceModel } : {}),
    });
    const s = summarizeOutbursts(r.series.active, { threshold: 50, burnIn: BURN_IN });
    outbursts += s.outbursts.length;
    waits.push(s.waits);
    intervals.push(s.intervals);
    activations.push(s.activations);
    peak = Math.max(peak, ...r.series.active.subarray(BURN_IN));
  }
  const stats = (groups: number[][]) => {
    const m = jackknife(groups, (x) => meanSd(x).mean);
    const sd = jackknife(groups, (x) => meanSd(x).sd);
    return { mean: m.value, meanSe: m.se, sd: sd.value, sdSe: sd.se };
  };
  return {
    variant: variant.name,
    outbursts,
    wait: stats(waits),
    onsetInterval: meanSd(intervals.flat()).mean,
    activation: stats(activations),
    peak,
  };
}

const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');

export function outburstTable(rows: readonly OutburstRow[], seeds: number, ticks: number): string {
  const head =
    `| Run 2 variant (${seeds} seeds × ${ticks} ticks after ${BURN_IN}) | outbursts | wait mean ± s.d. | (s.e. of mean, of s.d.) | onset interval | activation mean ± s.d. | (s.e.) | peak actives |\n` +
    '| --- | --: | --- | --- | --: | --- | --- | --: |\n' +
    `| paper [EP] | — | 60 ± 55 | — | — | 708 ± 230 | — | — |\n`;
  return (
    head +
    rows
      .map(
        (r) =>
          `| ${r.variant} | ${r.outbursts} | ${fmt(r.wait.mean)} ± ${fmt(r.wait.sd)} | (${fmt(r.wait.meanSe)}, ${fmt(r.wait.sdSe)}) | ${fmt(r.onsetInterval)} | ${fmt(r.activation.mean, 0)} ± ${fmt(r.activation.sd, 0)} | (${fmt(r.activation.meanSe, 0)}, ${fmt(r.activation.sdSe, 0)}) | ${r.peak} |`,
      )
      .join('\n')
  );
}

/** Final share of crowds of `crowdSize` with thresholds N(0.25, sd²), mean over `crowds`. */
async function crowdShare(sd: number, crowdSize: number, crowds: number, sampling: 'random' | 'quantiles') {
  const params = { crowdSize, crowds, thresholds: { kind: 'normal', mean: 0.25, sd, sampling } };
  const s = await runSeries(granovetterModel, granovetterParams, params, 1, 400);
  return s.joined_share_mean[400];
}

/** The smallest σ (to 1e-4) at which a crowd's final share exceeds one half, by bisection. */
async function jumpOf(share: (sd: number) => Promise<number>, lo: number, hi: number): Promise<number> {
  while (hi - lo > 1e-4) {
    const mid = (lo + hi) / 2;
    if ((await share(mid)) > 0.5) hi = mid;
    else lo = mid;
  }
  return hi;
}

export async function granovetterTable(): Promise<string> {
  const rows: string[] = [];
  for (let sd = 0.08; sd <= 0.1601; sd += 0.01) {
    const cells = [
      meanFieldShare(0.25, sd),
      await crowdShare(sd, 100, 1, 'quantiles'),
      await crowdShare(sd, 100, 1000, 'random'),
    ];
    rows.push(`| ${sd.toFixed(2)} | ${cells.map((x) => x.toFixed(3)).join(' | ')} |`);
  }
  const jumps = [
    criticalSd(0.25),
    await jumpOf((sd) => crowdShare(sd, 100, 1, 'quantiles'), 0.1, 0.15),
    await jumpOf((sd) => crowdShare(sd, 100, 1000, 'random'), 0.1, 0.16),
  ];
  return (
    '| σ | infinite crowd (mean field) | 100 people, quantile thresholds | 1,000 crowds of 100, random thresholds (mean) |\n' +
    '| --: | --: | --: | --: |\n' +
    rows.join('\n') +
    `\n| **jump** (final share > ½ from) | **${jumps[0].toFixed(4)}** | **${jumps[1].toFixed(4)}** | **${jumps[2].toFixed(4)}** |`
  );
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seeds: { type: 'string', default: '20' },
      ticks: { type: 'string', default: '1400' },
      reference: { type: 'boolean', default: false },
    },
  });
  const section = positionals[0] ?? 'epstein';
  const seeds = Number(values.seeds);
  const ticks = Number(values.ticks);
  if (!Number.isInteger(seeds) || seeds < 2) throw new Error(`--seeds: got ${values.seeds}; allowed: an integer ≥ 2`);
  if (!Number.isInteger(ticks) || ticks < 1) throw new Error(`--ticks: got ${values.ticks}; allowed: an integer ≥ 1`);
  if (section === 'epstein') {
    const variants = epsteinVariants();
    if (values.reference)
      variants.push({
        name: 'original rules, reference implementation',
        params: preset('epstein-original-run2'),
        reference: true,
      });
    const rows: OutburstRow[] = [];
    for (const v of variants) {
      const t0 = performance.now();
      rows.push(await epsteinOutbursts(v, seeds, ticks));
      process.stderr.write(`${v.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    }
    console.log(outburstTable(rows, seeds, ticks));
    return;
  }
  if (section === 'granovetter') {
    console.log(await granovetterTable());
    return;
  }
  throw new Error(`section: got ${JSON.stringify(section)}; allowed: epstein, granovetter`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
