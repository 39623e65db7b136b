/**
 * The regime model's run figures: what a year of a surveillance regime did to protest,
 * legitimacy, detentions, lists and sanctions, who bore the harm, and where scores went.
 * Metric names come from the model's catalogue (src/models/regime/metrics.ts); a test checks
 * every name used here still exists there, so a rename fails loudly instead of a figure
 * silently going missing.
 */
import { barChart } from '../builders/bars.js';
import { lineChart, type LineChartOptions } from '../builders/line.js';
import { ratioChart } from '../builders/ratio.js';
import { fmt, listWords } from '../format.js';
import { metricNames } from '../../models/regime/mechanisms.js';
import { keyLabel, type RunSeries } from '../series.js';
import type { BarDatum, Figure, FigureSet, RatioDatum, SeriesPoint, SkippedFigure } from '../types.js';
import { datedAxis, inSections, namesAt, paramAt, type RunContext } from './context.js';

/** Harms whose disparity the model reports, with plain labels (order of the model's list). */
export const REGIME_HARM_LABELS: Readonly<Record<string, string>> = {
  detentions_reactive: 'arrests',
  detentions_preemptive: 'pre-emptive detentions',
  preemptive_false: 'wrongful pre-emptive detentions',
  blacklist_entries: 'blacklistings',
  false_camera: 'face-recognition false matches',
  false_informant: 'false informant attributions',
  reports_malicious: 'malicious reports',
};

export const REGIME_SANCTION_LABELS: Readonly<Record<string, string>> = {
  blocked_flight: 'flights',
  blocked_train: 'high-speed trains',
  blocked_hotel: 'luxury hotels',
  blocked_property: 'property purchases',
  blocked_job: 'job applications',
  blocked_schooling: "children's school places",
};

/**
 * Short labels of the detection channels (metric `detected_NAME`, one per channel a mechanism
 * declares); a channel missing here is labelled by its catalogue description.
 */
export const REGIME_CHANNEL_LABELS: Readonly<Record<string, string>> = {
  detected_police: 'police presence',
  detected_camera: 'cameras and face recognition',
  detected_tracking: 'phone and IoT tracking',
  detected_checkpoint: 'checkpoints',
  detected_phonescan: 'phone scans',
  detected_grid: 'grid workers',
  detected_observer: 'gig-worker observers',
  detected_informant: 'informants (true reports)',
  detected_centre: 'party service centres',
  detected_platform: 'platform censors',
  detected_records: 'integrated records',
};

/** The detection channels in the catalogue's order, with their labels. */
export const REGIME_CHANNELS: readonly { readonly metric: string; readonly label: string }[] = metricNames()
  .filter((m) => m.name.startsWith('detected_'))
  .map((m) => ({ metric: m.name, label: REGIME_CHANNEL_LABELS[m.name] ?? m.description }));

/** Every metric the run figures read (for loading only what is needed, and for the catalogue test). */
export const REGIME_RUN_METRICS: readonly string[] = [
  'adults',
  'active',
  'legitimacy_mean',
  'detentions_reactive',
  'detentions_preemptive',
  'detained',
  'detained_wrongly',
  'blacklisted',
  'redlisted',
  'score_grade',
  ...Object.keys(REGIME_SANCTION_LABELS),
  ...Object.keys(REGIME_HARM_LABELS),
  ...Object.keys(REGIME_HARM_LABELS).map((h) => `disparity_${h}`),
  ...REGIME_CHANNELS.map((c) => c.metric),
];

const ALL = 'all adults';

function points(
  s: RunSeries,
  metric: string,
  key: string,
  name: string,
  f: (v: number, i: number) => number | null = (v) => v,
): SeriesPoint[] {
  return s.values(metric, key).map((v, i) => ({ x: s.ticks[i], y: v === null ? null : f(v, i), series: name }));
}

/** The one value every point has (nulls aside), or undefined when they differ: a flat line says nothing. */
function flatAt(pts: readonly SeriesPoint[]): number | undefined {
  const ys = pts.map((p) => p.y).filter((y): y is number => y !== null);
  return ys.length && ys.every((y) => y === ys[0]) ? ys[0] : undefined;
}

/** Running totals of a daily series; tick 0 (the initial state) counts nothing. */
function running(pts: readonly SeriesPoint[]): SeriesPoint[] {
  let sum = 0;
  return pts.map((p) => {
    if (p.x > 0 && p.y !== null) sum += p.y;
    return { ...p, y: p.x > 0 ? sum : 0 };
  });
}

/** Groups in the scenario's order when known (the first is the disparity reference), else as found. */
function groupsOf(s: RunSeries, ctx: RunContext): string[] {
  const found = s.keys('adults', 'group=').map(keyLabel);
  const declared = namesAt(ctx.params, 'population.groups');
  return declared ? declared.filter((g) => found.includes(g)) : found;
}

function missing(s: RunSeries, metrics: readonly string[], key = ''): string[] {
  return metrics.filter((m) => !s.has(m, key));
}

function subtitle(ctx: RunContext, unit: string): string {
  return `${unit} · ${ctx.label} · ${fmt(ctx.agents)} residents`;
}

export function regimeRunFigures(s: RunSeries, ctx: RunContext): FigureSet {
  const figures: Figure[] = [];
  const skipped: SkippedFigure[] = [];
  const need = (id: string, title: string, metrics: readonly string[], key = ''): boolean => {
    const gone = missing(s, metrics, key);
    if (gone.length)
      skipped.push({ id, title, reason: `the run has no ${listWords(gone)} metric${gone.length > 1 ? 's' : ''}` });
    return gone.length === 0;
  };
  /**
   * A line over the run's days, or (in a finished run) a "not drawn" entry with `flatReason`
   * when every point is at one level (`level` names it in the reason).
   */
  const dayLine = (
    o: Omit<LineChartOptions, 'xTitle' | 'subtitle'> & { per: string },
    flatReason?: (level: number) => string | null,
  ): void => {
    const level = flatAt(o.points);
    const reason = !ctx.partial && level !== undefined && flatReason ? flatReason(level) : null;
    if (reason) skipped.push({ id: o.id, title: o.title, reason });
    else {
      const { per, ...rest } = o;
      figures.push(lineChart({ ...rest, subtitle: subtitle(ctx, per), xTitle: 'day', ...datedAxis(ctx) }));
    }
  };
  const groups = groupsOf(s, ctx);
  const keys = ['', ...groups.map((g) => `group=${g}`)];
  const names = [ALL, ...groups];

  if (need('protest-share', 'Protest', ['active', 'adults']))
    dayLine(
      {
        id: 'protest-share',
        title: 'Protest',
        per: 'share of adults protesting each day',
        yTitle: 'protesting (% of adults)',
        unit: '%',
        points: keys.flatMap((k, i) => {
          const adults = s.values('adults', k);
          return points(s, 'active', k, names[i], (v, t) => (adults[t] ? (100 * v) / adults[t]! : null));
        }),
        series: names,
        caption:
          'Adults active in protest at the end of each day (Epstein’s rule: grievance minus risk aversion × perceived arrest risk above the threshold), as a share of the adults in the population or group.',
      },
      (level) => (level === 0 ? 'nobody protested in this run' : null),
    );

  if (need('legitimacy', 'Perceived legitimacy', ['legitimacy_mean']))
    dayLine(
      {
        id: 'legitimacy',
        title: 'Perceived legitimacy',
        per: 'mean over adults, 0 (none) to 1 (full)',
        yTitle: 'mean perceived legitimacy (0–1)',
        yZero: false,
        points: keys.flatMap((k, i) => points(s, 'legitimacy_mean', k, names[i])),
        series: names,
        caption: 'Mean of residents’ perceived legitimacy of the regime, L in Epstein’s grievance H(1 − L).',
      },
      (level) => `perceived legitimacy stayed at ${fmt(level)} throughout the run`,
    );

  if (need('detentions', 'Detentions', ['detentions_reactive', 'detentions_preemptive']))
    dayLine(
      {
        id: 'detentions',
        title: 'Detentions',
        per: 'new detentions per day',
        yTitle: 'detentions (people per day)',
        integer: true,
        points: [
          ...points(s, 'detentions_reactive', '', 'reactive (arrests)'),
          ...points(s, 'detentions_preemptive', '', 'pre-emptive (predictive policing)'),
        ],
        caption:
          'Reactive: arrests of residents detected protesting, including those wrongly attributed. Pre-emptive: detentions ordered by predictive policing before any act.',
      },
      (level) => (level === 0 ? 'nobody was detained in this run' : null),
    );

  if (need('in-detention', 'In detention', ['detained', 'detained_wrongly']))
    dayLine(
      {
        id: 'in-detention',
        title: 'In detention',
        per: 'people held at the end of each day',
        yTitle: 'people in detention',
        integer: true,
        points: [...points(s, 'detained', '', 'all detained'), ...points(s, 'detained_wrongly', '', 'who did not act')],
        caption: '“Who did not act”: held after a false attribution or a false pre-emptive call.',
      },
      (level) => (level === 0 ? 'nobody was held in detention in this run' : null),
    );

  if (need('lists', 'Lists', ['blacklisted', 'redlisted']))
    dayLine(
      {
        id: 'lists',
        title: 'Lists',
        per: 'residents on each list',
        yTitle: 'residents listed',
        integer: true,
        points: [...points(s, 'blacklisted', '', 'blacklist'), ...points(s, 'redlisted', '', 'redlist')],
      },
      (level) => (level === 0 ? 'nobody was listed in this run (both lists stayed empty)' : null),
    );

  const sanctions = Object.keys(REGIME_SANCTION_LABELS);
  if (need('sanctions', 'Sanctions', sanctions)) {
    const used = sanctions.filter((m) => s.values(m, '').some((v) => v));
    const unused = sanctions.filter((m) => !used.includes(m)).map((m) => REGIME_SANCTION_LABELS[m]);
    if (!used.length)
      skipped.push({
        id: 'sanctions',
        title: 'Sanctions',
        reason: 'no purchase or application was blocked in this run',
      });
    else
      figures.push(
        lineChart({
          id: 'sanctions',
          title: 'Sanctions',
          subtitle: subtitle(ctx, 'attempts blocked since the start of the run'),
          xTitle: 'day',
          ...datedAxis(ctx),
          yTitle: 'attempts blocked (cumulative)',
          integer: true,
          // cumulative: blocks are rare events, and a day-by-day count of them is a row of spikes
          points: used.flatMap((m) => running(points(s, m, '', REGIME_SANCTION_LABELS[m]))),
          caption: `Joint punishment: attempts by listed residents (and their children, for schools) refused, counted from day 1 (a step up is a day with a block).${unused.length ? ` None blocked: ${listWords(unused)}.` : ''}`,
        }),
      );
  }

  const harms = Object.keys(REGIME_HARM_LABELS);
  if (groups.length >= 2 && need('harm-by-group', 'Harm by group', harms)) {
    const data: BarDatum[] = [];
    for (const h of harms) {
      for (const g of groups) {
        const adults = s.stat('adults', `group=${g}`, 'mean');
        const total = s.stat(h, `group=${g}`, 'total');
        data.push({
          category: REGIME_HARM_LABELS[h],
          series: g,
          value: adults ? (1000 * (total ?? 0)) / adults : null,
        });
      }
    }
    figures.push(
      barChart({
        id: 'harm-by-group',
        title: 'Harm by group',
        subtitle: subtitle(ctx, `over the run's ${s.ticks.length - 1} days, per 1,000 adults of each group`),
        valueTitle: 'events per 1,000 adults of the group',
        legendTitle: 'group',
        unit: 'per 1,000 adults',
        data,
        series: groups,
        caption: 'Each harm counted over the whole run and divided by the group’s mean number of adults.',
      }),
    );
  }

  const disparityMetrics = harms.map((h) => `disparity_${h}`);
  if (groups.length >= 2 && need('disparity', 'Disparity ratios', disparityMetrics, `group=${groups[1]}`)) {
    const reference = groups[0];
    const data: RatioDatum[] = [];
    const onlyThem: string[] = [];
    const counts: string[] = [];
    for (const h of harms) {
      for (const g of groups.slice(1)) {
        const r = s.stat(`disparity_${h}`, `group=${g}`, 'final');
        if (r === Infinity) onlyThem.push(`${REGIME_HARM_LABELS[h]} (${g})`);
        data.push({ category: REGIME_HARM_LABELS[h], series: g, ratio: r });
      }
      if (s.has(h, `group=${reference}`))
        counts.push(
          `${REGIME_HARM_LABELS[h]} ${groups.map((g) => `${g} ${fmt(s.stat(h, `group=${g}`, 'total'))}`).join(', ')}`,
        );
    }
    if (!data.some((d) => d.ratio !== null && Number.isFinite(d.ratio) && d.ratio > 0))
      skipped.push({
        id: 'disparity',
        title: 'Disparity ratios',
        reason: 'no harm fell on both groups, so no ratio is defined',
      });
    else
      figures.push(
        ratioChart({
          id: 'disparity',
          title: 'Disparity ratios',
          subtitle: subtitle(ctx, `each group's rate per adult ÷ the ${reference} group's, end of run`),
          ratioTitle: `rate per adult ÷ ${reference}'s rate (log scale)`,
          legendTitle: 'group',
          data,
          series: groups.slice(1),
          caption: `1 is parity; 2 means twice the ${reference} group's rate. Ratios from few events are unreliable: events behind them — ${counts.join('; ')}.${onlyThem.length ? ` Only this group affected (the ${reference} group had none): ${listWords(onlyThem)}.` : ''}`,
        }),
      );
  }

  // Who watches: each channel's detections over the run, per 1,000 adults of each group; an act
  // seen by two channels counts once for each, so the bars do not add up to the acts seen.
  const channels = REGIME_CHANNELS.filter((c) => s.has(c.metric, ''));
  const watching = channels.filter((c) => (s.stat(c.metric, '', 'total') ?? 0) > 0);
  if (!channels.length)
    skipped.push({ id: 'detections-by-channel', title: 'Who detects', reason: 'the run has no detection metrics' });
  else if (!watching.length)
    skipped.push({
      id: 'detections-by-channel',
      title: 'Who detects',
      reason: 'no channel detected anything in this run',
    });
  else {
    const byGroup = groups.length >= 2;
    const rows = byGroup ? groups.map((g) => ({ key: `group=${g}`, name: g })) : [{ key: '', name: ALL }];
    const idle = channels.filter((c) => !watching.includes(c)).map((c) => c.label);
    figures.push(
      barChart({
        id: 'detections-by-channel',
        title: 'Who detects',
        subtitle: subtitle(ctx, `detections over the run's ${s.ticks.length - 1} days, per 1,000 adults`),
        valueTitle: byGroup ? 'detections per 1,000 adults of the group' : 'detections per 1,000 adults',
        legendTitle: 'group',
        unit: 'per 1,000 adults',
        data: watching.flatMap((c) =>
          rows.map(({ key, name }) => {
            const adults = s.stat('adults', key, 'mean');
            const total = s.stat(c.metric, key, 'total');
            return { category: c.label, series: name, value: adults ? (1000 * (total ?? 0)) / adults : null };
          }),
        ),
        series: rows.map((r) => r.name),
        caption: `Acts (protests, infractions, posts, defaults) seen by each surveillance channel, counted over the whole run and divided by the mean number of adults${byGroup ? ' of the group' : ''}. Every channel a cell has gets its own chance to see each act, so an act seen by two channels counts once for each.${idle.length ? ` Saw nothing in this run: ${listWords(idle)}.` : ''}`,
      }),
    );
  }

  const scoring = paramAt(ctx.params, 'score.enabled');
  if (scoring === false) {
    skipped.push({
      id: 'score-grades',
      title: 'Score distribution',
      reason: 'the credit score is switched off in this scenario',
    });
  } else if (s.keys('score_grade', 'grade=').length) {
    const declared = (paramAt(ctx.params, 'score.bands') as { grade?: unknown }[] | undefined)
      ?.map((b) => b.grade)
      .filter((g): g is string => typeof g === 'string');
    const grades = s.keys('score_grade', 'grade=').map(keyLabel);
    const order = declared ? declared.filter((g) => grades.includes(g)) : grades;
    const finals = order.map((g) => s.stat('score_grade', `grade=${g}`, 'final') ?? 0);
    const total = finals.reduce((a, b) => a + b, 0);
    if (total > 0)
      figures.push(
        barChart({
          id: 'score-grades',
          title: 'Score distribution',
          subtitle: subtitle(ctx, 'adults in each credit grade at the end of the run'),
          valueTitle: 'adults (% of scored adults)',
          unit: '%',
          format: '.3~r',
          data: order.map((g, i) => ({ category: g, series: 'adults', value: (100 * finals[i]) / total })),
          categories: order,
          caption: `Grades from the scenario's score bands, highest first; ${fmt(total)} adults scored.`,
        }),
      );
  }
  return { figures: inSections(figures, REGIME_SECTIONS, 'Over time'), skipped };
}

const REGIME_SECTIONS: Readonly<Record<string, string>> = {
  'harm-by-group': 'Who bears the harm',
  disparity: 'Who bears the harm',
  'detections-by-channel': 'Who watches',
  'score-grades': 'Scores',
};
