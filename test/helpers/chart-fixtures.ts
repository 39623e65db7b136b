/**
 * Frozen chart inputs (test/fixtures/charts/*.json, written by test/helpers/capture-chart-fixtures.ts):
 * a run's record and its metric rows, stored compactly (one array of values per series,
 * six significant digits; NaN and infinities as strings since JSON has neither).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { provenanceOf, reportRunOf } from '../../src/charts/node/load.js';
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
