/** The chart module: data handling, builders, plans, SVG post-processing, and that it bundles for a browser. */
import { join } from 'node:path';
import { build } from 'esbuild';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import {
  barChart,
  compareTables,
  lineChart,
  OKABE_ITO,
  panelChart,
  ratioChart,
  ratioDomain,
  runFigures,
  RunSeries,
  rowsFromTicks,
  scopeSvgIds,
  SERIES_COLOURS,
  type CompareRun,
  type Figure,
  type MetricRow,
} from '../src/charts/index.js';
import { REGIME_CHANNELS, REGIME_RUN_METRICS } from '../src/charts/plans/regime.js';
import { planFor } from '../src/charts/plans/models.js';
import { renderSvg } from '../src/charts/render.js';
import { bandOf, quantile } from '../src/charts/builders/bands.js';
import { forestChart } from '../src/charts/builders/forest.js';
import { experimentFigures, type ExperimentData } from '../src/charts/plans/experiment.js';
import { experimentParagraph } from '../src/charts/report/experiment.js';
import type { ExperimentProvenance } from '../src/charts/report/provenance.js';
import { derivedMetrics, metricNames } from '../src/models/regime/mechanisms.js';
import { DISPARITY_HARMS } from '../src/models/regime/metrics.js';
import { regimeComparison } from '../src/models/regime/index.js';
import { fixtureRun, loadExperimentFixture } from './helpers/chart-fixtures.js';
import { models } from '../src/models/registry.js';
import { unitAtPath } from '../src/scenario/units.js';

const rows = (metric: string, key: string, values: (number | null)[]): MetricRow[] =>
  values.map((value, tick) => ({ tick, metric, key, value }));

/** The encodings of a figure's spec, from the top level and every layer. */
function encodings(f: Figure): Record<string, { title?: unknown; scale?: { range?: unknown } }>[] {
  const spec = f.spec as unknown as { encoding?: object; layer?: { encoding?: object }[] };
  return [spec.encoding, ...(spec.layer ?? []).map((l) => l.encoding)].filter(Boolean) as Record<
    string,
    { title?: unknown }
  >[];
}

describe('RunSeries', () => {
  const s = new RunSeries([
    ...rows('arrests', '', [5, 1, 2, 3]),
    ...rows('legit', '', [0.8, 0.7, NaN, 0.6]),
    ...rows('adults', 'group=a', [10, 10, 10, 10]),
    ...rows('adults', 'group=b', [5, 5, 5, 5]),
  ]);
  it('totals flows over the steps, leaving out tick 0 (the initial state)', () => {
    expect(s.stat('arrests', '', 'total')).toBe(6);
  });
  it('gives final, mean and max, skipping undefined values', () => {
    expect(s.stat('legit', '', 'final')).toBe(0.6);
    expect(s.stat('legit', '', 'mean')).toBeCloseTo(0.7, 12);
    expect(s.stat('arrests', '', 'max')).toBe(5);
    expect(s.values('legit', '')[2]).toBeNull();
  });
  it('lists keys by prefix and refuses a metric it does not have', () => {
    expect(s.keys('adults', 'group=')).toEqual(['group=a', 'group=b']);
    expect(() => s.values('nope')).toThrow(/nope/);
  });
  it('is built the same from a run held in memory', () => {
    const m = rowsFromTicks(
      [
        { name: 'x', key: '' },
        { name: '_internal', key: '', internal: true },
      ],
      [
        [0, [1, 9]],
        [1, [3, 9]],
      ],
    );
    expect(m).toEqual([
      { tick: 0, metric: 'x', key: '', value: 1 },
      { tick: 1, metric: 'x', key: '', value: 3 },
    ]);
  });
});

describe('builders', () => {
  const line = lineChart({
    id: 'test-line',
    title: 'Test',
    xTitle: 'day',
    yTitle: 'people (per day)',
    points: [
      { x: 0, y: 1, series: 'b' },
      { x: 1, y: 4, series: 'b' },
      { x: 0, y: 2, series: 'a' },
      { x: 1, y: NaN, series: 'a' },
    ],
    series: ['a', 'b'],
  });

  it('line charts compile, take Okabe–Ito colours in order with a dash each, and keep units in the axis titles', () => {
    expect(() => compile(line.spec)).not.toThrow();
    const enc = encodings(line)[0] as Record<
      string,
      { title?: string; scale?: { domain?: string[]; range?: unknown[] } }
    >;
    expect(enc.color.scale!.domain).toEqual(['a', 'b']);
    expect(enc.color.scale!.range).toEqual([SERIES_COLOURS[0], SERIES_COLOURS[1]]);
    expect(Object.values(OKABE_ITO)).toEqual(expect.arrayContaining(enc.color.scale!.range as string[]));
    expect((enc.strokeDash.scale!.range as number[][])[0]).not.toEqual((enc.strokeDash.scale!.range as number[][])[1]);
    expect(enc.y.title).toBe('people (per day)');
    // NaN is not JSON: it becomes null, which Vega-Lite leaves out
    expect(JSON.stringify(line.spec)).not.toMatch(/NaN/);
  });

  it('alt text describes the data with its numbers', () => {
    expect(line.alt).toMatch(/^Test\. Line chart of people \(per day\) against day 0 to 1, 2 series \(a and b\)/);
    expect(line.alt).toContain('b: from 1 to 4, highest 4 at day 1');
    expect(line.alt).toContain('a: constant at 2');
    expect((line.spec as { description?: string }).description).toBe(line.alt);
  });

  it('a dated run is drawn and described against calendar dates, tick 0 being the start date', async () => {
    const dated = lineChart({
      id: 'dated',
      title: 'Listed',
      xTitle: 'day',
      yTitle: 'residents listed',
      start: '2013-10-24',
      points: [
        { x: 0, y: 0, series: 'list' },
        { x: 69, y: 5, series: 'list' },
        { x: 800, y: 3, series: 'list' },
      ],
    });
    expect(() => compile(dated.spec)).not.toThrow();
    const enc = encodings(dated)[0] as Record<string, { field?: string; type?: string; scale?: { type?: string } }>;
    expect(enc.x).toMatchObject({ field: 'date', type: 'temporal', scale: { type: 'utc' } });
    const values = (dated.spec as unknown as { data: { values: { x: number; date: string }[] } }).data.values;
    expect(values.map((v) => v.date)).toEqual(['2013-10-24', '2014-01-01', '2016-01-02']);
    expect(dated.alt).toContain('against date, 2013-10-24 to 2016-01-02');
    expect(dated.alt).toContain('highest 5 on 2014-01-01');
    // the axis is labelled in calendar time, not day numbers
    const svg = await renderSvg(dated);
    expect(svg).toMatch(/>Jan 2014</);
    expect(svg).toMatch(/>Jan 2015</);
    expect(svg).not.toMatch(/>800</);
  });

  it('ratio charts use a log axis symmetric around parity and name what they cannot draw', () => {
    expect(ratioDomain([4])[0]).toBeCloseTo(1 / ratioDomain([4])[1], 12);
    expect(ratioDomain([4])[1]).toBeGreaterThanOrEqual(4);
    expect(ratioDomain([1.1])).toEqual([10 ** -0.4, 10 ** 0.4]); // at least ½ to 2
    const f = ratioChart({
      id: 'test-ratio',
      title: 'R',
      ratioTitle: 'ratio (log scale)',
      data: [
        { category: 'arrests', series: 'm', ratio: 2 },
        { category: 'lists', series: 'm', ratio: Infinity },
        { category: 'tips', series: 'm', ratio: 0 },
      ],
    });
    expect(() => compile(f.spec)).not.toThrow();
    expect(f.caption).toBe('Not drawn (zero or undefined on a log scale): lists and tips.');
    expect(f.alt).toContain('arrests: 2×');
    expect(f.alt).toContain('tips: 0 (none)');
  });

  it('panel charts scale each measure to its own largest value and print the real numbers', () => {
    const f = panelChart({
      id: 'test-panels',
      title: 'P',
      data: [
        { measure: 'arrests', bar: 'A', value: 200 },
        { measure: 'arrests', bar: 'B', value: 50 },
        { measure: 'legitimacy', bar: 'A', value: 0.5 },
        { measure: 'legitimacy', bar: 'B', value: 0.25 },
      ],
    });
    const values = (
      f.spec as unknown as { data: { values: { measure: string; bar: string; share: number; label: string }[] } }
    ).data.values;
    expect(values.map((v) => v.share)).toEqual([1, 0.25, 1, 0.5]);
    expect(values.map((v) => v.label)).toEqual(['200', '50', '0.5', '0.25']);
  });

  it('bar charts refuse ids that are not safe file names', () => {
    expect(() => barChart({ id: '../x', title: 't', valueTitle: 'v', data: [] })).toThrow(/lower-case/);
  });
});

describe('plans', () => {
  it('every regime metric the charts read is in the regime model’s metric catalogue', () => {
    const catalogue = new Set([
      ...metricNames().map((m) => m.name),
      ...derivedMetrics().map((m) => m.name),
      'score_grade',
      ...DISPARITY_HARMS.map((h) => `disparity_${h}`),
    ]);
    const used = [
      ...REGIME_RUN_METRICS,
      ...planFor('regime').overlays.flatMap((o) => o.needs),
      ...planFor('regime').keyRows.map((k) => k.metric),
    ];
    expect(used.filter((m) => !catalogue.has(m))).toEqual([]);
    // and the harms drawn by group are the ones the model computes disparity for
    expect(REGIME_RUN_METRICS.filter((m) => m.startsWith('disparity_')).sort()).toEqual(
      DISPARITY_HARMS.map((h) => `disparity_${h}`).sort(),
    );
  });

  it('a regime run gives protest as a share of adults, computed from the run’s own counts', () => {
    const run = fixtureRun('regime-high-intensity');
    const set = runFigures('regime', run.series, { label: 'x', agents: run.provenance.agents });
    const protest = set.figures.find((f) => f.id === 'protest-share')!;
    const values = (protest.spec as unknown as { data: { values: { x: number; y: number; series: string }[] } }).data
      .values;
    const s = run.series;
    const t = s.ticks.findIndex((x) => x === 10);
    const expected = (100 * s.values('active', 'group=minority')[t]!) / s.values('adults', 'group=minority')[t]!;
    expect(values.find((v) => v.x === 10 && v.series === 'minority')!.y).toBeCloseTo(expected, 12);
  });

  it('who detects: each bar is the channel’s total over the run per 1,000 adults of the group; idle channels are named', () => {
    const run = fixtureRun('regime-national-blacklist');
    const s = run.series;
    const set = runFigures('regime', s, { label: 'x', agents: run.provenance.agents });
    const fig = set.figures.find((f) => f.id === 'detections-by-channel')!;
    const values = (fig.spec as unknown as { data: { values: { category: string; series: string; value: number }[] } })
      .data.values;
    const channels = REGIME_CHANNELS.filter((c) => s.has(c.metric));
    const active = channels.filter((c) => (s.stat(c.metric, '', 'total') ?? 0) > 0);
    expect(active.length).toBeGreaterThan(0);
    expect(new Set(values.map((v) => v.category))).toEqual(new Set(active.map((c) => c.label)));
    for (const c of active)
      for (const g of ['majority', 'minority']) {
        const expected = (1000 * s.stat(c.metric, `group=${g}`, 'total')!) / s.stat('adults', `group=${g}`, 'mean')!;
        expect(values.find((v) => v.category === c.label && v.series === g)!.value).toBeCloseTo(expected, 9);
      }
    for (const c of channels.filter((c) => !active.includes(c))) expect(fig.caption).toContain(c.label);
    expect(fig.section).toBe('Who watches');
  });

  it('sanctions are drawn as running totals that end at the run’s total', () => {
    const run = fixtureRun('regime-national-blacklist');
    const s = run.series;
    const fig = runFigures('regime', s, { label: 'x', agents: run.provenance.agents }).figures.find(
      (f) => f.id === 'sanctions',
    )!;
    const values = (fig.spec as unknown as { data: { values: { x: number; y: number; series: string }[] } }).data
      .values;
    const last = s.ticks[s.ticks.length - 1];
    const flights = values.filter((v) => v.series === 'flights');
    expect(flights.find((v) => v.x === last)!.y).toBe(s.stat('blocked_flight', '', 'total'));
    expect(flights.every((v, i) => i === 0 || v.y >= flights[i - 1].y)).toBe(true);
  });

  it('a finished run’s flat series are named, not drawn; a run still going draws them, so figures keep their places', () => {
    const data = [
      ...rows('active', '', [0, 0, 0]),
      ...rows('adults', '', [100, 100, 100]),
      ...rows('legitimacy_mean', '', [0.8, 0.8, 0.8]),
    ];
    const done = runFigures('regime', data, { label: 'x', agents: 100 });
    expect(done.figures.map((f) => f.id)).toEqual([]);
    expect(done.skipped.find((s) => s.id === 'protest-share')!.reason).toBe('nobody protested in this run');
    expect(done.skipped.find((s) => s.id === 'legitimacy')!.reason).toBe(
      'perceived legitimacy stayed at 0.8 throughout the run',
    );
    const live = runFigures('regime', data, { label: 'x', agents: 100, partial: true });
    expect(live.figures.map((f) => f.id)).toEqual(['protest-share', 'legitimacy']);
  });

  it('a figure missing its metrics is skipped with the reason, not drawn empty', () => {
    const set = runFigures('regime', rows('legitimacy_mean', '', [0.8, 0.7]), { label: 'x', agents: 10 });
    expect(set.figures.map((f) => f.id)).toEqual(['legitimacy']);
    expect(set.skipped.find((s) => s.id === 'protest-share')!.reason).toBe('the run has no active and adults metrics');
  });

  it('every figure of every plan compiles and has a title, alt text and a section', () => {
    const figures = [
      ...runFigures('regime', fixtureRun('regime-national-blacklist').series, { label: 'nb', agents: 20000 }).figures,
      ...runFigures('epstein', fixtureRun('epstein-run3').series, { label: 'e', agents: 1000 }).figures,
      ...runFigures('contagion', rows('infected', '', [1, 2, 3]), { label: 'c', agents: 10, headline: ['infected'] })
        .figures,
    ];
    expect(figures.length).toBeGreaterThan(10);
    for (const f of figures) {
      expect(() => compile(f.spec), f.id).not.toThrow();
      expect(f.title.length, f.id).toBeGreaterThan(2);
      expect(f.alt.length, f.id).toBeGreaterThan(40);
      expect(f.section, f.id).toBeTruthy();
    }
  });
});

describe('comparisons', () => {
  const run = (letter: string, agents: number, arrests: number[], legit: number[]): CompareRun => ({
    letter,
    model: 'regime',
    series: new RunSeries([...rows('detentions_reactive', '', arrests), ...rows('legitimacy_mean', '', legit)]),
    ctx: { label: letter, agents },
  });
  const sections = [
    {
      title: 'mixed',
      rows: [
        { metric: 'detentions_reactive', stat: 'total', label: 'arrests' },
        { metric: 'legitimacy_mean', stat: 'final', label: 'legitimacy' },
      ],
    },
  ] as const;

  it('gives each run’s statistic, its ratio and difference to the first run', () => {
    const [t] = compareTables([run('A', 100, [9, 2, 2], [0.8, 0.5]), run('B', 100, [0, 3, 5], [0.8, 0.4])], sections);
    expect(t.rows[0].cells.map((c) => c.value)).toEqual([4, 8]);
    expect(t.rows[0].cells[1]).toEqual({ value: 8, ratio: 2, difference: 4 });
    expect(t.rows[1].cells[1].ratio).toBeCloseTo(0.8, 12);
  });

  it('scales counts, not levels, per 100,000 agents when the runs differ in size', () => {
    const [t] = compareTables([run('A', 1000, [0, 10], [0.8, 0.5]), run('B', 4000, [0, 20], [0.8, 0.5])], sections);
    expect(t.rows[0].label).toBe('arrests per 100,000 residents');
    expect(t.rows[0].cells.map((c) => c.value)).toEqual([1000, 500]);
    expect(t.rows[1].cells.map((c) => c.value)).toEqual([0.5, 0.5]);
  });

  it('the regime comparison rows name metrics the model has', () => {
    const names = new Set([...metricNames(), ...derivedMetrics()].map((m) => m.name));
    for (const r of [...regimeComparison.stability, ...regimeComparison.harm])
      expect(names.has(r.metric), r.metric).toBe(true);
  });
});

describe('SVG', () => {
  it('ids are scoped per figure, so figures sharing a page never share a clip path', async () => {
    const a = await renderSvg(
      lineChart({ id: 'one', title: 'A', xTitle: 'x', yTitle: 'y', points: [{ x: 0, y: 1, series: 's' }] }),
    );
    const b = await renderSvg(
      lineChart({ id: 'two', title: 'B', xTitle: 'x', yTitle: 'y', points: [{ x: 0, y: 1, series: 's' }] }),
    );
    const ids = (svg: string) => [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(a).length).toBeGreaterThan(0);
    expect(ids(a).filter((id) => ids(b).includes(id))).toEqual([]);
    // every url(#…) reference points at an id of its own figure
    for (const svg of [a, b]) for (const m of svg.matchAll(/url\(#([^)]+)\)/g)) expect(ids(svg)).toContain(m[1]);
  });

  it('scopeSvgIds renames definitions and references together', () => {
    const svg =
      '<svg><clipPath id="clip7"><rect/></clipPath><g clip-path="url(#clip7)"/><use href="#clip7"/><g id="other"/></svg>';
    expect(scopeSvgIds(svg, 'f')).toBe(
      '<svg><clipPath id="f-1"><rect/></clipPath><g clip-path="url(#f-1)"/><use href="#f-1"/><g id="f-2"/></svg>',
    );
  });

  it('the root element is an image named by the title and described by the alt text', async () => {
    const f = lineChart({
      id: 'alt',
      title: 'Title <&>',
      xTitle: 'x',
      yTitle: 'y',
      points: [{ x: 0, y: 1, series: 's' }],
      alt: 'Alt "text"',
    });
    const svg = await renderSvg(f);
    expect(svg).toMatch(/^<svg role="img" aria-labelledby="fig-alt-title fig-alt-desc"/);
    expect(svg).toContain(
      '<title id="fig-alt-title">Title &lt;&amp;&gt;</title><desc id="fig-alt-desc">Alt &quot;text&quot;</desc>',
    );
  });
});

describe('browser', () => {
  it('the chart module and its renderer bundle for a browser with no Node built-in', async () => {
    const root = join(import.meta.dirname, '..');
    for (const entry of [
      'src/charts/index.ts',
      'src/charts/render.ts',
      'src/charts/report/document.ts',
      'src/charts/report/html.ts',
    ]) {
      const out = await build({
        entryPoints: [join(root, entry)],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        logLevel: 'silent',
      });
      const code = out.outputFiles[0].text;
      expect(code.length, entry).toBeGreaterThan(1000);
      expect(code, entry).not.toMatch(/from\s*["']node:|require\(["'](fs|path|os|node:)/);
    }
  });
});

describe('experiments', () => {
  it('quantiles interpolate between order statistics (type 7, as R and NumPy by default)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(quantile([0, 10], 0.05)).toBeCloseTo(0.5, 12);
    expect(quantile([], 0.5)).toBeNull();
    const b = bandOf(3, 's', [4, null, 1, 3, 2, NaN]);
    const expected = { q05: 1.15, q25: 1.75, q50: 2.5, q75: 3.25, q95: 3.85 };
    for (const [k, v] of Object.entries(expected)) expect(b[k as keyof typeof expected], k).toBeCloseTo(v, 12);
  });

  it('a forest plot fills a dot only when its interval excludes no difference', () => {
    const f = forestChart({
      id: 'f',
      title: 'F',
      estimateTitle: 'difference',
      data: [
        { category: 'a', series: 's', estimate: 2, low: 1, high: 3 },
        { category: 'b', series: 's', estimate: 1, low: -1, high: 3 },
        { category: 'c', series: 's', estimate: -2, low: -3, high: -0.5 },
      ],
    });
    const values = (f.spec as unknown as { data: { values: { category: string; resolved: string }[] } }).data.values;
    expect(values.map((v) => v.resolved)).toEqual(['yes', 'no', 'yes']);
    expect(f.caption).toContain('so the replicates do not resolve a difference (b)');
    expect(() => compile(f.spec)).not.toThrow();
  });

  const base: ExperimentData = {
    id: 'x',
    model: 'regime',
    design: 'base',
    points: 1,
    arms: ['a', 'b'],
    reference: 'a',
    factors: [],
    outputs: [
      { name: 'detentions_reactive_total', metric: 'detentions_reactive', stat: 'total', key: '' },
      { name: 'legitimacy_mean_final', metric: 'legitimacy_mean', stat: 'final', key: '' },
    ],
    pointValues: [],
    summary: [
      { point: 0, arm: 'a', output: 'detentions_reactive_total', n: 5, mean: 200, low: 190, high: 210 },
      { point: 0, arm: 'b', output: 'detentions_reactive_total', n: 5, mean: 300, low: 280, high: 320 },
      { point: 0, arm: 'a', output: 'legitimacy_mean_final', n: 5, mean: 0.7, low: 0.69, high: 0.71 },
      { point: 0, arm: 'b', output: 'legitimacy_mean_final', n: 5, mean: 0.7, low: 0.69, high: 0.71 },
    ],
    paired: [
      {
        point: 0,
        arm: 'b',
        reference: 'a',
        output: 'detentions_reactive_total',
        n: 5,
        mean: 100,
        low: 80,
        high: 120,
        a: 1,
      },
      {
        point: 0,
        arm: 'b',
        reference: 'a',
        output: 'legitimacy_mean_final',
        n: 5,
        mean: 0.001,
        low: -0.004,
        high: 0.006,
        a: 0.55,
      },
    ],
    morris: [],
    sobol: [],
    series: [],
    outputLabels: { detentions_reactive_total: 'arrests', legitimacy_mean_final: 'legitimacy (final mean)' },
  };
  const prov = { seed: 1, steps: 30 } as ExperimentProvenance;

  it('the paragraph gives each difference with its interval, and says when the interval does not resolve one', () => {
    const text = experimentParagraph(base, prov);
    // a count: relative to the reference's mean
    expect(text).toContain('arrests +50 % (95 % CI +40 % to +60 %)');
    // a level whose interval spans zero: no direction claimed
    expect(text).toContain('legitimacy (final mean): no difference the replicates resolve (95 % CI −0.004 to +0.006)');
    expect(text).not.toMatch(/legitimacy \(final mean\) \+0\.001/);
  });

  it('factor axes carry the parameter’s unit, read from the model’s schema', () => {
    const schema = models.regime.params;
    expect(unitAtPath(schema, 'population.regions.*.informantsPerThousand')).toBe('per 1,000 residents');
    expect(unitAtPath(schema, 'population.regions.1.informantsPerThousand')).toBe('per 1,000 residents');
    expect(unitAtPath(schema, 'population.regions.*.noSuchKey')).toBe('');
    const e = loadExperimentFixture('grid');
    const informants = e.factors.find((f) => f.name === 'informants')!;
    expect(informants.unit).toBe('per 1,000 residents');
    const heatmap = experimentFigures(e).figures.find((f) => f.id.startsWith('heatmap'))!;
    const titles = encodings(heatmap).map((enc) => [enc.x?.title, enc.y?.title]);
    expect(titles.flat()).toContain('informants (per 1,000 residents)');
  });

  it('a design of several points gets no bands or forest, and says why', () => {
    const set = experimentFigures({
      ...base,
      points: 4,
      series: [{ tick: 0, metric: 'active', key: '', value: 1, arm: 'a', point: 0, replicate: 0 }],
    });
    expect(set.figures).toEqual([]);
    expect(set.skipped.map((s) => s.id)).toEqual(['bands', 'paired-differences']);
  });
});
