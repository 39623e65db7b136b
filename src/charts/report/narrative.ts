/**
 * The report's plain-language paragraphs, generated from the numbers. They say what happened
 * in the runs shown and no more: a single run or a comparison of single runs has no interval,
 * and the text says so instead of calling a difference an effect.
 */
import { dateOf } from '../../scenario/dates.js';
import { fmt, listWords, pct, times } from '../format.js';
import type { CompareRun } from '../plans/compare.js';
import { planFor, type KeyRow } from '../plans/models.js';
import { namesAt } from '../plans/context.js';
import { keyLabel, type RunSeries } from '../series.js';
import { REGIME_HARM_LABELS } from '../plans/regime.js';

export interface RunFacts {
  readonly model: string;
  readonly preset: string | null;
  readonly seed: number;
  readonly steps: number;
  readonly agents: number;
  readonly params?: Readonly<Record<string, unknown>>;
  /** Headline metrics, for models without a paragraph of their own. */
  readonly headline?: readonly string[];
  /** A dated scenario's start date (YYYY-MM-DD); tick t is t days after it. */
  readonly start?: string;
}

/** "from 25 Aug 2013 to 31 Dec 2018" for a dated run, else ''. */
export function runDates(f: Pick<RunFacts, 'start' | 'steps'>): string {
  return f.start ? `from ${longDate(dateOf(f.start, 0))} to ${longDate(dateOf(f.start, f.steps))}` : '';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function longDate(iso: string): string {
  return `${Number(iso.slice(8, 10))} ${MONTHS[Number(iso.slice(5, 7)) - 1]} ${iso.slice(0, 4)}`;
}

const SINGLE_RUN_CAVEAT =
  'This is one run with one seed: its numbers carry no confidence interval, and another seed would give different ones. Run replicates (an experiment) before reading a difference of this size as an effect of the regime.';

function what(f: RunFacts): string {
  const who = f.model.startsWith('regime') ? 'residents' : 'agents';
  const model = f.model.startsWith('regime')
    ? 'the regime model'
    : f.model === 'epstein'
      ? 'Epstein’s civil-violence model'
      : `the ${f.model} model`;
  const dates = f.start ? ` (${runDates(f)})` : '';
  return `One run of ${model}${f.preset ? ` (preset ${f.preset})` : ''}: ${fmt(f.agents)} ${who}, ${fmt(f.steps)} ${f.model.startsWith('regime') ? 'days' : 'ticks'}${dates}, seed ${f.seed}.`;
}

function share(
  s: RunSeries,
  num: string,
  den: string,
  stat: 'mean' | 'max',
): { value: number | null; at: number | null } {
  const n = s.values(num, '');
  const d = s.values(den, '');
  let best: number | null = null;
  let at: number | null = null;
  let sum = 0;
  let count = 0;
  n.forEach((v, i) => {
    const total = d[i];
    if (v === null || !total) return;
    const r = v / total;
    sum += r;
    count++;
    if (best === null || r > best) {
      best = r;
      at = s.ticks[i];
    }
  });
  return stat === 'mean' ? { value: count ? sum / count : null, at: null } : { value: best, at };
}

function regimeSentences(s: RunSeries, f: RunFacts): string[] {
  const out: string[] = [];
  if (s.has('active') && s.has('adults')) {
    const mean = share(s, 'active', 'adults', 'mean').value;
    const peak = share(s, 'active', 'adults', 'max');
    out.push(
      `On an average day ${pct(mean)} of adults protested (highest ${pct(peak.value)}, on day ${fmt(peak.at)}).`,
    );
  }
  if (s.has('legitimacy_mean')) {
    const v = s.values('legitimacy_mean', '').filter((x): x is number => x !== null);
    if (v.length)
      out.push(`Mean perceived legitimacy went from ${fmt(v[0])} to ${fmt(v[v.length - 1])} (on a 0–1 scale).`);
  }
  if (s.has('detentions_reactive') && s.has('detentions_preemptive')) {
    const arrests = s.stat('detentions_reactive', '', 'total') ?? 0;
    const pre = s.stat('detentions_preemptive', '', 'total') ?? 0;
    let text = `There were ${fmt(arrests)} arrests and ${pre ? fmt(pre) : 'no'} pre-emptive detentions`;
    if (pre && s.has('preemptive_false')) {
      const wrong = s.stat('preemptive_false', '', 'total') ?? 0;
      text += `, ${fmt(wrong)} of them (${pct(wrong / pre)}) of people who would not have acted`;
    }
    out.push(`${text}.`);
  }
  if (s.has('blacklist_entries')) {
    const n = s.stat('blacklist_entries', '', 'total') ?? 0;
    out.push(n ? `${fmt(n)} residents were blacklisted.` : 'Nobody was blacklisted.');
  }
  const groups = namesAt(f.params, 'population.groups') ?? s.keys('adults', 'group=').map(keyLabel);
  if (groups.length >= 2) {
    const ref = groups[0];
    const parts: string[] = [];
    for (const harm of Object.keys(REGIME_HARM_LABELS)) {
      for (const g of groups.slice(1)) {
        const metric = `disparity_${harm}`;
        if (!s.has(metric, `group=${g}`)) continue;
        const r = s.stat(metric, `group=${g}`, 'final');
        if (r === null || !Number.isFinite(r) || r <= 0) continue;
        const nG = s.stat(harm, `group=${g}`, 'total');
        const nR = s.stat(harm, `group=${ref}`, 'total');
        const aG = s.has('adults', `group=${g}`) ? s.stat('adults', `group=${g}`, 'mean') : null;
        const aR = s.has('adults', `group=${ref}`) ? s.stat('adults', `group=${ref}`, 'mean') : null;
        parts.push(
          `${REGIME_HARM_LABELS[harm]} ${times(r)} (${fmt(nG)} among ${fmt(aG)} ${g} adults against ${fmt(nR)} among ${fmt(aR)} ${ref} adults)`,
        );
      }
      if (parts.length >= 3) break;
    }
    if (parts.length)
      out.push(
        `Per adult, the ${listWords(groups.slice(1))} group${groups.length > 2 ? 's' : ''} bore these multiples of the ${ref} group's rate: ${listWords(parts)}; ratios from few events are fragile.`,
      );
  }
  return out;
}

function epsteinSentences(s: RunSeries): string[] {
  const out: string[] = [];
  if (s.has('active') && s.has('citizens')) {
    const mean = share(s, 'active', 'citizens', 'mean').value;
    const peak = share(s, 'active', 'citizens', 'max');
    out.push(
      `On an average tick ${pct(mean)} of citizens were active (highest ${pct(peak.value)}, at tick ${fmt(peak.at)}).`,
    );
  }
  if (s.has('arrests')) out.push(`Cops made ${fmt(s.stat('arrests', '', 'total'))} arrests.`);
  if (s.has('jailed') && s.has('citizens')) {
    const j = s.stat('jailed', '', 'final');
    const c = s.stat('citizens', '', 'final');
    if (j !== null && c) out.push(`At the end ${pct(j / c)} of citizens were in jail.`);
  }
  return out;
}

/** The paragraph under a run report's title. */
export function runParagraph(s: RunSeries, f: RunFacts): string {
  const body = f.model.startsWith('regime')
    ? regimeSentences(s, f)
    : f.model === 'epstein'
      ? epsteinSentences(s)
      : (f.headline ?? [])
          .filter((m) => s.has(m))
          .slice(0, 4)
          .map(
            (m) =>
              `${m.replace(/_/g, ' ')}: ${fmt(s.stat(m, '', 'final'))} at the end (highest ${fmt(s.stat(m, '', 'max'))}).`,
          );
  return [what(f), ...body, SINGLE_RUN_CAVEAT].join(' ');
}

function versus(row: KeyRow, level: boolean, a: number | null, b: number | null, refLetter: string): string | null {
  if (a === null || b === null) return null;
  if (level) return `${row.label} ${fmt(b)} against ${fmt(a)}`;
  if (a === 0 && b === 0) return null;
  if (a === 0) return `${fmt(b)} ${row.label} (${refLetter}: none)`;
  if (b === 0) return `no ${row.label} (${refLetter}: ${fmt(a)})`;
  return `${row.label} ${times(b / a)} ${refLetter}'s (${fmt(b)} against ${fmt(a)})`;
}

/** The paragraph under a comparison's title: each run against the first, on the model's key measures. */
export function compareParagraph(runs: readonly CompareRun[]): string {
  const plan = planFor(runs[0].model);
  const ref = runs[0];
  const intro = `${runs.length} runs, each against run ${ref.letter} (${ref.ctx.label}).`;
  const perRun = runs.slice(1).map((r) => {
    const parts = plan.keyRows
      .filter((k) => ref.series.has(k.metric) && r.series.has(k.metric))
      .map((k) => {
        const scale = (run: CompareRun, v: number | null) =>
          v === null || plan.isLevel(k.metric) || runs.every((x) => x.ctx.agents === ref.ctx.agents)
            ? v
            : (v * 100_000) / run.ctx.agents;
        return versus(
          k,
          plan.isLevel(k.metric),
          scale(ref, ref.series.stat(k.metric, '', k.stat)),
          scale(r, r.series.stat(k.metric, '', k.stat)),
          ref.letter,
        );
      })
      .filter((p): p is string => p !== null);
    return `Run ${r.letter} (${r.ctx.label}): ${parts.length ? listWords(parts) : 'none of the key measures could be compared'}.`;
  });
  const sizes = runs.every((x) => x.ctx.agents === ref.ctx.agents)
    ? ''
    : ' Counts are per 100,000 agents, because the runs differ in size.';
  const seeds = [...new Set(runs.map((r) => r.ctx.seed).filter((x) => x !== undefined))];
  const seedText = seeds.length ? ` (seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')})` : '';
  const caveat = `Each run is a single draw${seedText}, so these differences carry no confidence interval: some may be seed noise. An experiment with replicates on common random numbers gives intervals for them.`;
  return [intro, ...perRun, sizes.trim(), caveat].filter(Boolean).join(' ');
}
