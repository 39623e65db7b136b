/**
 * Example and validation aid: one simulated year of every regime preset, reduced to the
 * figures that can be set beside documented patterns (pattern-oriented modelling, facts.md
 * §4): the blacklist's exits ÷ entries, the share of informant tips that are true, the
 * precision of pre-emptive detention, how much criticism is self-censored, disparities.
 * Prints a Markdown table (docs/validation/regime.md holds one).
 *
 *   npx tsx examples/regime-patterns.ts [--population 200000] [--days 365] [--threads 2]
 */
import { runSimulation, LocalExecutor } from '../src/engine/simulation.js';
import { models } from '../src/models/registry.js';
import { createNodeExecutor } from '../src/runtime/node-pool.js';
import { listPresets, loadPreset } from '../src/scenario/load.js';

export interface PresetYear {
  readonly preset: string;
  readonly meanActiveShare: number;
  readonly finalLegitimacy: number;
  readonly arrests: number;
  readonly arrestsOfInnocents: number;
  readonly blacklistEntries: number;
  readonly exitsPerEntry: number;
  readonly trueTipShare: number;
  readonly preemptivePrecision: number;
  readonly postsWrittenPerWanted: number;
  readonly falseMatches: number;
  readonly minorityFalseMatchDisparity: number;
}

const sumOver = ['detentions_reactive', 'detentions_reactive_false', 'blacklist_entries', 'blacklist_exits'] as const;

export async function presetYear(
  preset: string,
  population: number,
  days: number,
  threads: number,
): Promise<PresetYear> {
  const scenario = loadPreset(preset, { registry: models, overrides: { population, steps: days } });
  const entry = models.regime;
  const layout = entry.definition.layout(scenario.params);
  const at = (name: string, key = '') => layout.metrics.findIndex((m) => m.name === name && m.key === key);
  const totals = new Map<string, number>();
  const add = (name: string, v: number) => totals.set(name, (totals.get(name) ?? 0) + v);
  const flows = [
    ...sumOver,
    'reports_true',
    'reports_false',
    'reports_malicious',
    'preemptive_true',
    'detentions_preemptive',
  ];
  const more = ['posts_desired', 'posts_expressed', 'false_camera'];
  let activeShareSum = 0;
  let legitimacy = NaN;
  let disparity = NaN;
  const minority = layout.metrics.findIndex(
    (m) =>
      m.name === 'disparity_false_camera' &&
      m.key.startsWith('group=') &&
      !m.key.endsWith(
        `=${(scenario.params as { population: { groups: { name: string }[] } }).population.groups[0].name}`,
      ),
  );
  const executor = threads > 1 ? await createNodeExecutor(threads) : new LocalExecutor();
  try {
    await runSimulation(entry.definition, scenario.params, {
      seed: scenario.seed,
      steps: days,
      executor,
      onTick: (tick, v) => {
        legitimacy = v[at('legitimacy_mean')];
        if (minority >= 0) disparity = v[minority];
        if (tick === 0) return;
        activeShareSum += v[at('active')] / v[at('adults')];
        for (const name of [...flows, ...more]) add(name, v[at(name)]);
      },
    });
  } finally {
    await executor.close();
  }
  const t = (name: string) => totals.get(name) ?? 0;
  const tips = t('reports_true') + t('reports_false') + t('reports_malicious');
  return {
    preset,
    meanActiveShare: activeShareSum / days,
    finalLegitimacy: legitimacy,
    arrests: t('detentions_reactive'),
    arrestsOfInnocents: t('detentions_reactive_false'),
    blacklistEntries: t('blacklist_entries'),
    exitsPerEntry: t('blacklist_entries') > 0 ? t('blacklist_exits') / t('blacklist_entries') : NaN,
    trueTipShare: tips > 0 ? t('reports_true') / tips : NaN,
    preemptivePrecision: t('detentions_preemptive') > 0 ? t('preemptive_true') / t('detentions_preemptive') : NaN,
    postsWrittenPerWanted: t('posts_desired') > 0 ? t('posts_expressed') / t('posts_desired') : NaN,
    falseMatches: t('false_camera'),
    minorityFalseMatchDisparity: disparity,
  };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const fmt = (x: number, digits = 3) =>
  Number.isNaN(x) ? '–' : Number.isInteger(x) ? x.toLocaleString('en-US') : x.toFixed(digits);

if (import.meta.url === `file://${process.argv[1]}`) {
  const population = arg('population', 200_000);
  const days = arg('days', 365);
  const threads = arg('threads', 2);
  const presets = listPresets().filter((p) => loadPreset(p, { registry: models }).model === 'regime' && p !== 'nation');
  const header = [
    'preset',
    'mean active share',
    'final legitimacy',
    'arrests',
    'of innocents',
    'blacklistings',
    'exits ÷ entries',
    'true tips',
    'pre-emptive precision',
    'posts written ÷ wanted',
    'false matches',
    'minority false-match disparity',
  ];
  console.log(`${population.toLocaleString('en-US')} residents × ${days} days, seed of each preset\n`);
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const preset of presets) {
    const y = await presetYear(preset, population, days, threads);
    console.log(
      `| ${[
        y.preset,
        fmt(y.meanActiveShare),
        fmt(y.finalLegitimacy),
        fmt(y.arrests),
        fmt(y.arrestsOfInnocents),
        fmt(y.blacklistEntries),
        fmt(y.exitsPerEntry, 2),
        fmt(y.trueTipShare),
        fmt(y.preemptivePrecision),
        fmt(y.postsWrittenPerWanted),
        fmt(y.falseMatches),
        fmt(y.minorityFalseMatchDisparity, 2),
      ].join(' | ')} |`,
    );
  }
}
