/**
 * Frozen chart inputs (test/fixtures/charts/*.json, written by test/helpers/capture-chart-fixtures.ts):
 * a run's record and its metric rows, stored compactly (one array of values per series,
 * six significant digits; NaN and infinities as strings since JSON has neither).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { provenanceOf, reportRunOf } from '../../src/charts/node/load.js';
import { keyOutputs, type ExperimentData } from '../../src/charts/plans/experiment.js';
import { planFor } from '../../src/charts/plans/models.js';
import type { ReportRun } from '../../src/charts/report/document.js';
import type { MetricRow } from '../../src/charts/types.js';
import { models } from '../../src/models/registry.js';
import type { RunDetail } from '../../src/store/store.js';

type Cell = number | 'NaN' | 'Infinity' | '-Infinity';

export interface ChartFixture {
  readonly run: RunDetail;
  readonly ticks: readonly number[];
  readonly series: readonly [metric: string, key: string, values: readonly Cell[]][];
}

function encode(v: number): Cell {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return Number(v.toPrecision(6));
}

export function encodeFixture(run: RunDetail, rows: readonly MetricRow[]): ChartFixture {
  const ticks = [...new Set(rows.map((r) => r.tick))].sort((a, b) => a - b);
  const at = new Map(ticks.map((t, i) => [t, i]));
  const series = new Map<string, Cell[]>();
  for (const r of rows) {
    const id = `${r.metric}\u0000${r.key}`;
    let vals = series.get(id);
    if (!vals) series.set(id, (vals = new Array<Cell>(ticks.length).fill('NaN')));
    vals[at.get(r.tick)!] = encode(r.value ?? NaN);
  }
  return {
    run: {
      ...run,
      started_at: '2026-01-01T00:00:00Z',
      finished_at: '2026-01-01T00:00:01Z',
      wall_seconds: 1,
      peak_rss_bytes: null,
    },
    ticks,
    series: [...series.entries()].map(([id, values]) => {
      const [metric, key] = id.split('\u0000');
      return [metric, key, values];
    }),
  };
}

export function fixtureRows(f: ChartFixture): MetricRow[] {
  return f.series.flatMap(([metric, key, values]) =>
    values.map((v, i) => ({ tick: f.ticks[i], metric, key, value: Number(v) })),
  );
}

export function loadFixture(name: string): ChartFixture {
  return JSON.parse(
    readFileSync(join(import.meta.dirname, '..', 'fixtures', 'charts', `${name}.json`), 'utf8'),
  ) as ChartFixture;
}

/** A fixture as the report code receives a stored run. */
export function fixtureRun(name: string): ReportRun {
  const f = loadFixture(name);
  return reportRunOf(
    f.run,
    fixtureRows(f),
    models,
    provenanceOf(f.run, null, () => null),
  );
}

/** An experiment's chart data cut to what its figures read: key outputs, overlay series, rounded values. */
export function reduceExperiment(e: ExperimentData): ExperimentData {
  const keys = new Set(keyOutputs(e).map((o) => o.name));
  const needs = new Set(planFor(e.model).overlays.flatMap((o) => o.needs));
  const r = (v: number | null) => (v === null ? null : Number(v.toPrecision(6)));
  return {
    ...e,
    outputs: e.outputs.filter((o) => keys.has(o.name)),
    summary: e.summary
      .filter((x) => keys.has(x.output))
      .map((x) => ({ ...x, mean: r(x.mean), low: r(x.low), high: r(x.high) })),
    paired: e.paired
      .filter((x) => keys.has(x.output))
      .map((x) => ({ ...x, mean: r(x.mean), low: r(x.low), high: r(x.high), a: r(x.a) })),
    morris: e.morris.filter((x) => keys.has(x.output) && x.reference === null),
    sobol: e.sobol.filter((x) => keys.has(x.output) && x.reference === null),
    series: e.series.filter((x) => x.key === '' && needs.has(x.metric)).map((x) => ({ ...x, value: r(x.value) })),
  };
}

/** Series kept compactly: one row of values per run and metric, over shared ticks. */
interface CompactSeries {
  readonly ticks: readonly number[];
  readonly rows: readonly [
    arm: string,
    point: number,
    replicate: number,
    metric: string,
    key: string,
    values: (number | null)[],
  ][];
}

export function encodeExperiment(e: ExperimentData): Omit<ExperimentData, 'series'> & { series: CompactSeries } {
  const ticks = [...new Set(e.series.map((x) => x.tick))].sort((a, b) => a - b);
  const at = new Map(ticks.map((t, i) => [t, i]));
  const rows = new Map<string, [string, number, number, string, string, (number | null)[]]>();
  for (const x of e.series) {
    const id = [x.arm, x.point, x.replicate, x.metric, x.key].join('\u0000');
    let row = rows.get(id);
    if (!row)
      rows.set(
        id,
        (row = [x.arm, x.point, x.replicate, x.metric, x.key, new Array<number | null>(ticks.length).fill(null)]),
      );
    row[5][at.get(x.tick)!] = x.value;
  }
  return { ...e, series: { ticks, rows: [...rows.values()] } };
}

export function loadExperimentFixture(name: string): ExperimentData {
  const path = join(import.meta.dirname, '..', 'fixtures', 'charts', `experiment-${name}.json`);
  const f = JSON.parse(readFileSync(path, 'utf8')) as ReturnType<typeof encodeExperiment>;
  return {
    ...f,
    series: f.series.rows.flatMap(([arm, point, replicate, metric, key, values]) =>
      values.map((value, i) => ({ arm, point, replicate, metric, key, tick: f.series.ticks[i], value })),
    ),
  };
}
