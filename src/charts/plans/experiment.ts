/**
 * An experiment's figures (issue 11's tables): the main series across replicates as median
 * and bands, paired differences between arms as a forest plot, Morris and Sobol indices as
 * tornado bars, and a heatmap of two factors of a grid design. The input is plain tidy data
 * — the store's experiment tables, or the same shapes built in a browser.
 */
import { bandChart, bandOf, type BandDatum } from '../builders/bands.js';
import { forestChart, type ForestDatum } from '../builders/forest.js';
import { heatmapChart } from '../builders/heatmap.js';
import { indexChart, type IndexDatum } from '../builders/indices.js';
import { lineChart } from '../builders/line.js';
import { fmt, listWords } from '../format.js';
import { RunSeries } from '../series.js';
import { SERIES_COLOURS } from '../theme.js';
import type { Figure, FigureSet, MetricRow, SkippedFigure } from '../types.js';
import { inSections } from './context.js';
import { planFor, type Overlay } from './models.js';

export interface ExperimentFactor {
  readonly name: string;
  readonly path: string;
  readonly low: number | null;
  readonly high: number | null;
  readonly levels: readonly (number | string | boolean)[] | null;
  readonly scale: string;
  /** The parameter's unit, when the model's schema gives one (axis titles carry it). */
  readonly unit?: string;
}

/** A factor's name with its unit, for an axis title. */
function factorTitle(f: ExperimentFactor): string {
  return f.unit ? `${f.name} (${f.unit})` : f.name;
}

export interface ExperimentOutput {
  readonly name: string;
  readonly metric: string;
  readonly stat: 'final' | 'mean' | 'total' | 'max';
  /** '' overall, `group=…`, `region=…`. */
  readonly key: string;
}

export interface ExperimentData {
  readonly id: string;
  readonly model: string;
  /** 'base' (no design: arms and replicates only), 'grid', 'lhs', 'sobol', 'morris'. */
  readonly design: string;
  readonly points: number;
  readonly arms: readonly string[];
  readonly reference: string;
  readonly factors: readonly ExperimentFactor[];
  readonly outputs: readonly ExperimentOutput[];
  /** Factor values at each design point. */
  readonly pointValues: readonly { point: number; factor: string; value: number | string | null }[];
  /** Per point, arm and output: replicates' mean and 95 % interval. */
  readonly summary: readonly {
    point: number;
    arm: string;
    output: string;
    n: number;
    mean: number | null;
    low: number | null;
    high: number | null;
  }[];
  /** Per point and arm: the paired difference arm − reference over common random numbers. */
  readonly paired: readonly {
    point: number;
    arm: string;
    reference: string;
    output: string;
    n: number;
    mean: number | null;
    low: number | null;
    high: number | null;
    a: number | null;
  }[];
  /** Morris indices per arm (reference null) or per arm − reference. */
  readonly morris: readonly {
    arm: string;
    reference: string | null;
    output: string;
    factor: string;
    r: number;
    mu: number | null;
    muStar: number | null;
    muStarLow: number | null;
    muStarHigh: number | null;
    sigma: number | null;
  }[];
  readonly sobol: readonly {
    arm: string;
    reference: string | null;
    output: string;
    factor: string;
    n: number;
    s1: number | null;
    s1Low: number | null;
    s1High: number | null;
    st: number | null;
    stLow: number | null;
    stHigh: number | null;
  }[];
  /** Per-tick series the experiment stored, per run (arm, point, replicate). */
  readonly series: readonly (MetricRow & {
    readonly arm: string;
    readonly point: number;
    readonly replicate: number;
  })[];
  /** Labels for outputs from the model's `compare` rows ("arrests"), where one matches. */
  readonly outputLabels?: Readonly<Record<string, string>>;
}

/** At most this many outputs get figures of their own (sensitivity, heatmaps); the tables hold all. */
export const MAX_OUTPUT_FIGURES = 6;

export function outputLabel(e: ExperimentData, name: string): string {
  return e.outputLabels?.[name] ?? name.replace(/_/g, ' ');
}

/** The outputs worth a figure each: the model's key measures first, then the experiment's own order. */
export function keyOutputs(e: ExperimentData): ExperimentOutput[] {
  const plan = planFor(e.model);
  const key = plan.keyRows
    .map((k) => e.outputs.find((o) => o.metric === k.metric && o.stat === k.stat && o.key === ''))
    .filter((o): o is ExperimentOutput => o !== undefined);
  return [...key, ...e.outputs.filter((o) => !key.includes(o))].slice(0, MAX_OUTPUT_FIGURES);
}

function figureId(prefix: string, name: string): string {
  return `${prefix}-${name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}

/** Quantile bands of each overlay (or raw stored metric) per arm, from point 0's replicates. */
function bandFigures(e: ExperimentData, figures: Figure[], skipped: SkippedFigure[]): void {
  if (!e.series.length) {
    skipped.push({
      id: 'bands',
      title: 'Series across replicates',
      reason: 'the experiment stored no per-tick series (list metrics under `series:` in the experiment file)',
    });
    return;
  }
  if (e.points > 1) {
    skipped.push({
      id: 'bands',
      title: 'Series across replicates',
      reason: `the design has ${e.points} points; bands are drawn for designs of one point (arms and replicates)`,
    });
    return;
  }
  // one RunSeries per run
  const runs = new Map<string, { arm: string; rows: MetricRow[] }>();
  for (const r of e.series) {
    const id = `${r.arm}\u0000${r.replicate}`;
    let run = runs.get(id);
    if (!run) runs.set(id, (run = { arm: r.arm, rows: [] }));
    run.rows.push(r);
  }
  const perRun = [...runs.values()].map((r) => ({ arm: r.arm, s: new RunSeries(r.rows) }));
  const plan = planFor(e.model);
  const stored = new Set(e.series.filter((r) => r.key === '').map((r) => r.metric));
  const overlays: Overlay[] = plan.overlays.filter((o) => o.needs.every((m) => stored.has(m)));
  const covered = new Set(overlays.flatMap((o) => o.needs));
  const raw: Overlay[] = [...stored]
    .filter((m) => !covered.has(m))
    .map((metric) => ({
      id: figureId('metric', metric),
      title: metric.replace(/_/g, ' '),
      yTitle: `${metric.replace(/_/g, ' ')} (as the model reports it)`,
      needs: [metric],
      value: (s: RunSeries, i: number) => s.values(metric, '')[i],
    }));
  const reps = Math.max(...e.arms.map((a) => perRun.filter((r) => r.arm === a).length));
  for (const o of [...overlays, ...raw]) {
    const data: BandDatum[] = [];
    for (const arm of e.arms) {
      const mine = perRun.filter((r) => r.arm === arm);
      if (!mine.length) continue;
      const ticks = [...new Set(mine.flatMap((r) => r.s.ticks))].sort((a, b) => a - b);
      for (const t of ticks)
        data.push(
          bandOf(
            t,
            arm,
            mine.map((r) => {
              const i = r.s.ticks.indexOf(t);
              return i < 0 ? null : o.value(r.s, i);
            }),
          ),
        );
    }
    figures.push(
      bandChart({
        id: `bands-${o.id}`,
        title: o.title,
        subtitle: `median and the middle 50 % and 90 % of ${reps} replicates per arm`,
        xTitle: plan.tickName,
        yTitle: o.yTitle,
        ...(o.unit ? { unit: o.unit } : {}),
        ...(o.yZero !== undefined ? { yZero: o.yZero } : {}),
        legendTitle: 'arm',
        series: e.arms,
        data,
        caption: `Line: the median replicate at each ${plan.tickName}; dark band: the middle 50 % of replicates; light band: the middle 90 % (quantiles interpolated between replicates${reps < 20 ? `; with ${reps} replicates the 90 % band reaches almost to the most extreme ones` : ''}).`,
      }),
    );
  }
}

/** Paired differences against the reference arm, relative to the reference's mean, as a forest plot. */
function forestFigure(e: ExperimentData, figures: Figure[], skipped: SkippedFigure[]): void {
  const others = e.arms.filter((a) => a !== e.reference);
  if (!others.length) return;
  if (e.points > 1) {
    skipped.push({
      id: 'paired-differences',
      title: 'Paired differences',
      reason: `the design has ${e.points} points; the paired differences at each point are in the table`,
    });
    return;
  }
  const data: ForestDatum[] = [];
  const zeroRef: string[] = [];
  const identical: string[] = [];
  for (const o of e.outputs) {
    const ref = e.summary.find((s) => s.point === 0 && s.arm === e.reference && s.output === o.name)?.mean ?? null;
    const rows = e.paired.filter((p) => p.point === 0 && p.output === o.name && others.includes(p.arm));
    if (rows.every((p) => p.mean === 0 && p.low === 0 && p.high === 0)) {
      identical.push(outputLabel(e, o.name));
      continue;
    }
    if (!ref) {
      zeroRef.push(outputLabel(e, o.name));
      continue;
    }
    const pc = (v: number | null) => (v === null ? null : (100 * v) / Math.abs(ref));
    for (const p of rows)
      data.push({
        category: outputLabel(e, o.name),
        series: p.arm,
        estimate: pc(p.mean),
        low: pc(p.low),
        high: pc(p.high),
      });
  }
  if (!data.length) {
    skipped.push({
      id: 'paired-differences',
      title: 'Paired differences',
      reason: 'no output differs between the arms in a way a relative difference can show (see the table)',
    });
    return;
  }
  const n = Math.min(...e.paired.filter((p) => p.point === 0).map((p) => p.n));
  figures.push(
    forestChart({
      id: 'paired-differences',
      title: `Paired differences from ${e.reference}`,
      subtitle: `each arm − ${e.reference}, over ${n} replicates on common random numbers, as % of ${e.reference}'s mean`,
      estimateTitle: `difference (% of ${e.reference}'s mean), 95 % CI`,
      unit: ' %',
      legendTitle: 'arm',
      data,
      series: others,
      colours: SERIES_COLOURS.slice(1),
      caption: `Replicate r of every arm runs with the same seed, so each difference is paired and the interval is that of the mean paired difference (t distribution, n − 1 degrees of freedom), divided by ${e.reference}'s mean.${zeroRef.length ? ` ${e.reference}'s mean is zero for ${listWords(zeroRef)}: their differences are in the table, in the outputs' own units.` : ''}${identical.length ? ` Identical in every replicate (difference 0): ${listWords(identical)}.` : ''}`,
    }),
  );
}

function sensitivityFigures(e: ExperimentData, figures: Figure[], skipped: SkippedFigure[]): void {
  const outputs = keyOutputs(e);
  const rest = e.outputs.length - outputs.length;
  const note = rest > 0 ? ` (${rest} more output${rest > 1 ? 's' : ''} in the table)` : '';
  if (e.morris.length) {
    for (const o of outputs) {
      for (const arm of e.arms) {
        const rows = e.morris.filter((m) => m.output === o.name && m.arm === arm && m.reference === null);
        if (!rows.length) continue;
        const armNote = e.arms.length > 1 ? ` · arm ${arm}` : '';
        const data: IndexDatum[] = rows.map((m) => ({
          factor: m.factor,
          index: 'μ*',
          value: m.muStar,
          low: m.muStarLow,
          high: m.muStarHigh,
        }));
        figures.push(
          indexChart({
            id: figureId(`morris${e.arms.length > 1 ? `-${arm}` : ''}`, o.name),
            title: `Morris screening: ${outputLabel(e, o.name)}`,
            subtitle: `μ*, the mean absolute elementary effect over ${rows[0].r} trajectories${armNote}`,
            valueTitle: `μ* (${outputLabel(e, o.name)}, in its own units)`,
            data,
            caption: `A factor with a larger μ* moves the output more over its range; the whisker is a 95 % bootstrap interval. σ (spread of the effects: interaction or non-linearity): ${rows.map((m) => `${m.factor} ${fmt(m.sigma)}`).join(', ')}.${note}`,
          }),
        );
      }
    }
  }
  if (e.sobol.length) {
    for (const o of outputs) {
      for (const arm of e.arms) {
        const rows = e.sobol.filter((m) => m.output === o.name && m.arm === arm && m.reference === null);
        if (!rows.length) continue;
        const data: IndexDatum[] = rows.flatMap((m) => [
          { factor: m.factor, index: 'first-order S1', value: m.s1, low: m.s1Low, high: m.s1High },
          { factor: m.factor, index: 'total ST', value: m.st, low: m.stLow, high: m.stHigh },
        ]);
        const wide = rows.some((m) => m.s1Low !== null && m.s1High !== null && m.s1High - m.s1Low > 0.5);
        figures.push(
          indexChart({
            id: figureId(`sobol${e.arms.length > 1 ? `-${arm}` : ''}`, o.name),
            title: `Sobol indices: ${outputLabel(e, o.name)}`,
            subtitle: `share of the output's variance, N = ${rows[0].n} base samples${e.arms.length > 1 ? ` · arm ${arm}` : ''}`,
            valueTitle: 'share of variance (0–1), 95 % CI',
            indices: ['first-order S1', 'total ST'],
            data,
            caption: `S1: the share of variance a factor explains alone; ST: including its interactions. Whiskers are 95 % bootstrap intervals; estimates can stray below 0 or above 1 when N is small.${wide ? ' Some intervals are wider than 0.5: more samples are needed to rank these factors.' : ''}${note}`,
          }),
        );
      }
    }
  }
  if ((e.design === 'morris' && !e.morris.length) || (e.design === 'sobol' && !e.sobol.length))
    skipped.push({
      id: e.design,
      title: `${e.design} indices`,
      reason: 'the experiment has no stored indices (run `panopticon experiment analyze`)',
    });
}

/** A grid's outputs over its factors: a line for one factor, a heatmap for two (averaged over any others). */
function gridFigures(e: ExperimentData, figures: Figure[], skipped: SkippedFigure[]): void {
  if (e.design !== 'grid' || !e.factors.length) return;
  const valueOf = (point: number, factor: string) =>
    e.pointValues.find((v) => v.point === point && v.factor === factor)?.value ?? null;
  const [fx, fy, ...more] = e.factors;
  const moreNote = more.length ? ` Averaged over ${listWords(more.map((f) => f.name))} (each level equally).` : '';
  for (const o of keyOutputs(e)) {
    for (const arm of e.arms) {
      const rows = e.summary.filter((s) => s.output === o.name && s.arm === arm);
      const armNote = e.arms.length > 1 ? ` · arm ${arm}` : '';
      const idArm = e.arms.length > 1 ? `-${arm}` : '';
      if (!fy) {
        figures.push(
          lineChart({
            id: figureId(`grid${idArm}`, o.name),
            title: `${outputLabel(e, o.name)} by ${fx.name}`,
            subtitle: `mean over replicates with its 95 % interval${armNote}`,
            xTitle: factorTitle(fx),
            yTitle: outputLabel(e, o.name),
            points: rows.flatMap((s) => {
              const x = Number(valueOf(s.point, fx.name));
              return [
                { x, y: s.mean, series: 'mean' },
                { x, y: s.low, series: '95 % CI low' },
                { x, y: s.high, series: '95 % CI high' },
              ];
            }),
            dots: true,
          }),
        );
        continue;
      }
      // cells: mean over replicates (and over other factors' levels)
      const cells = new Map<string, { x: number | string; y: number | string; sum: number; n: number; hw: number[] }>();
      for (const s of rows) {
        const x = valueOf(s.point, fx.name);
        const y = valueOf(s.point, fy.name);
        if (x === null || y === null || s.mean === null) continue;
        const id = `${x}\u0000${y}`;
        let c = cells.get(id);
        if (!c) cells.set(id, (c = { x, y, sum: 0, n: 0, hw: [] }));
        c.sum += s.mean;
        c.n++;
        if (s.low !== null && s.high !== null) c.hw.push((s.high - s.low) / 2);
      }
      if (!cells.size) {
        skipped.push({
          id: figureId(`heatmap${idArm}`, o.name),
          title: `${outputLabel(e, o.name)} over ${fx.name} × ${fy.name}`,
          reason: 'no values',
        });
        continue;
      }
      figures.push(
        heatmapChart({
          id: figureId(`heatmap${idArm}`, o.name),
          title: `${outputLabel(e, o.name)} over ${fx.name} × ${fy.name}`,
          subtitle: `mean over replicates (± half-width of its 95 % interval)${armNote}`,
          xTitle: factorTitle(fx),
          yTitle: factorTitle(fy),
          valueTitle: outputLabel(e, o.name),
          data: [...cells.values()].map((c) => {
            const mean = c.sum / c.n;
            const hw = c.hw.length ? Math.max(...c.hw) : null;
            return { x: c.x, y: c.y, value: mean, label: hw === null ? fmt(mean) : `${fmt(mean)} ± ${fmt(hw)}` };
          }),
          caption: `${fx.name} is ${fx.path}; ${fy.name} is ${fy.path}.${moreNote}`,
        }),
      );
    }
  }
}

export function experimentFigures(e: ExperimentData): FigureSet {
  const figures: Figure[] = [];
  const skipped: SkippedFigure[] = [];
  bandFigures(e, figures, skipped);
  forestFigure(e, figures, skipped);
  sensitivityFigures(e, figures, skipped);
  gridFigures(e, figures, skipped);
  const section = (id: string) =>
    id.startsWith('bands-')
      ? 'Over time, across replicates'
      : id === 'paired-differences'
        ? 'Differences between arms'
        : id.startsWith('morris') || id.startsWith('sobol')
          ? 'Which factors matter'
          : 'Over the design';
  return {
    figures: inSections(figures, Object.fromEntries(figures.map((f) => [f.id, section(f.id)])), 'Figures'),
    skipped,
  };
}
