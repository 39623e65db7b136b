/**
 * Dated scenarios and parameter schedules: values act on the tick their date names, in every
 * thread alike; bad schedules are refused before any run with the field, the value and what
 * is allowed; dates round-trip through exports.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { scheduledValue, type ScheduledParam } from '../src/engine/schedule.js';
import { LocalExecutor, runSimulation, type Executor } from '../src/engine/simulation.js';
import { models } from '../src/models/registry.js';
import { NodePoolExecutor } from '../src/runtime/node-pool.js';
import { dateOf, epochDay, tickOf } from '../src/scenario/dates.js';
import { UserError } from '../src/scenario/errors.js';
import { scenarioHash } from '../src/scenario/load.js';
import { resolveScenario } from '../src/scenario/resolve.js';
import { inProcessCli } from './helpers/cli-inprocess.js';

const point = (tick: number, value: number, ramp: 'step' | 'linear' = 'step') => ({ tick, value, ramp });

describe('scheduled values', () => {
  const s: ScheduledParam = { path: ['x'], points: [point(10, 5), point(20, 15, 'linear'), point(30, 0)] };
  it('hold the base before the first point, step on a point, ramp in a straight line to a linear one', () => {
    expect(scheduledValue(1, s, 0)).toBe(1);
    expect(scheduledValue(1, s, 9)).toBe(1);
    expect(scheduledValue(1, s, 10)).toBe(5);
    expect(scheduledValue(1, s, 15)).toBe(10);
    expect(scheduledValue(1, s, 20)).toBe(15);
    expect(scheduledValue(1, s, 29)).toBe(15);
    expect(scheduledValue(1, s, 30)).toBe(0);
    expect(scheduledValue(1, s, 1000)).toBe(0);
  });
  it('ramp from the base at tick 0 when the first point is linear, and round integer parameters', () => {
    const r: ScheduledParam = { path: ['x'], points: [point(4, 10, 'linear')], integer: true };
    expect([0, 1, 2, 3, 4, 5].map((t) => scheduledValue(2, r, t))).toEqual([2, 4, 6, 8, 10, 10]);
    expect(scheduledValue(0, { ...r, points: [point(3, 1, 'linear')] }, 1)).toBe(0); // 1/3 rounds to 0
  });
});

describe('dates', () => {
  it('count whole UTC days and refuse dates that do not exist', () => {
    expect(tickOf('2013-10-24', '2013-10-24')).toBe(0);
    expect(tickOf('2013-08-25', '2018-12-31')).toBe(1954);
    expect(tickOf('2016-02-28', '2016-03-01')).toBe(2); // a leap year
    expect(dateOf('2013-08-25', 1954)).toBe('2018-12-31');
    expect(epochDay('2019-02-29')).toBeUndefined();
    expect(epochDay('2019-13-01')).toBeUndefined();
    expect(epochDay('24 Oct 2013')).toBeUndefined();
  });
});

/** A small regime population with debts only: `defaults` counts each day's new defaults. */
function debtScenario(extra: Record<string, unknown> = {}, schedules?: unknown): Record<string, unknown> {
  return {
    model: 'regime',
    seed: 3,
    steps: 50,
    start: '2020-01-01',
    params: {
      population: { agents: 4000, regions: [{ name: 'a', populationShare: 1 }], groups: [{ name: 'g', share: 1 }] },
      behaviour: {
        initialLegitimacy: 1,
        legitimacySpread: 0,
        infractionRate: 0,
        civicRate: 0,
        criticismRate: 0,
        defaultRate: 0,
      },
      police: { enabled: false },
      ...extra,
    },
    ...(schedules ? { schedules } : {}),
  };
}

const resolve = (doc: Record<string, unknown>) => resolveScenario(doc, { registry: models, origin: 'test' });

async function defaultsByTick(doc: Record<string, unknown>, executor: Executor): Promise<number[]> {
  const s = resolve(doc);
  const entry = models.regime;
  const layout = entry.definition.layout(s.params);
  const k = layout.metrics.findIndex((m) => m.name === 'defaults' && m.key === '');
  const out: number[] = [];
  await runSimulation(entry.definition, s.params, {
    seed: s.seed,
    steps: s.steps,
    ...(s.schedule ? { schedule: s.schedule } : {}),
    executor,
    onTick: (_t, v) => void out.push(v[k]),
  });
  return out;
}

describe('schedules in a run', () => {
  // 3,300 adults default at 0.05 × hardship (mean 1/2) a day: about 80 a day, so a day with
  // none while the rate is on has probability e^-80; with the rate at 0 a default is impossible.
  const schedules = {
    'behaviour.defaultRate': [
      { date: '2020-01-11', value: 0.05 },
      { day: 30, value: 0 },
    ],
  };

  it('act on the tick their date names, the same in worker threads as in one', async () => {
    const doc = debtScenario({}, schedules);
    const one = await defaultsByTick(doc, new LocalExecutor());
    expect(one.slice(0, 10).every((x) => x === 0)).toBe(true); // ticks 0–9: before 11 Jan
    expect(one.slice(10, 30).every((x) => x > 0)).toBe(true); // ticks 10–29
    expect(one.slice(30).every((x) => x === 0)).toBe(true); // from day 30
    const pool = NodePoolExecutor.create(2);
    try {
      expect(
        await defaultsByTick({ ...doc, params: { ...(doc.params as object), agentsPerShard: 1000 } }, pool),
      ).toEqual(
        await defaultsByTick(
          { ...doc, params: { ...(doc.params as object), agentsPerShard: 1000 } },
          new LocalExecutor(),
        ),
      );
    } finally {
      await pool.close();
    }
  });

  it('change the scenario hash, while a scenario without schedules hashes as before', () => {
    const plain = resolve(debtScenario());
    expect(scenarioHash(plain)).toBe(scenarioHash({ ...plain, start: undefined } as never));
    expect(scenarioHash(resolve(debtScenario({}, schedules)))).not.toBe(scenarioHash(plain));
  });
});

describe('bad schedules are refused before any run', () => {
  const problems = (doc: Record<string, unknown>): string => {
    try {
      resolve(doc);
    } catch (e) {
      if (e instanceof UserError) return e.message;
      throw e;
    }
    throw new Error('not refused');
  };
  it('name the field, the value and what is allowed', () => {
    expect(problems(debtScenario({}, { 'behaviour.defaultRat': [{ day: 1, value: 0.1 }] }))).toMatch(
      /schedules\.behaviour\.defaultRat: .*did you mean `behaviour\.defaultRate`/,
    );
    expect(problems(debtScenario({}, { 'behaviour.defaultRate': [{ day: 1, value: 2 }] }))).toMatch(
      /schedules\.behaviour\.defaultRate\[0\]\.value: got 2, out of range; allowed: a number in \[0, 1\]/,
    );
    expect(problems(debtScenario({}, { 'behaviour.defaultRate': [{ date: '2019-12-31', value: 0.1 }] }))).toMatch(
      /\[0\]\.date: got 2019-12-31, before the scenario's start 2020-01-01/,
    );
    expect(problems(debtScenario({}, { 'behaviour.defaultRate': [{ date: '2020-02-30', value: 0.1 }] }))).toMatch(
      /\[0\]\.date: got "2020-02-30"; allowed: a calendar date written YYYY-MM-DD/,
    );
    expect(
      problems(
        debtScenario(
          {},
          {
            'behaviour.defaultRate': [
              { day: 9, value: 0.1 },
              { day: 5, value: 0.2 },
            ],
          },
        ),
      ),
    ).toMatch(/\[1\]: day 5 is not after the previous point \(day 9\)/);
    expect(problems(debtScenario({}, { 'lists.enabled': [{ day: 1, value: 1 }] }))).toMatch(
      /lists\.enabled holds boolean values; allowed: a numeric parameter/,
    );
    expect(
      problems({
        ...debtScenario({}, { 'behaviour.defaultRate': [{ date: '2020-02-01', value: 0.1 }] }),
        start: undefined,
      }),
    ).toMatch(/a dated point needs the scenario's `start:`/);
    expect(problems({ ...debtScenario(), start: '2020-1-1' })).toMatch(
      /start: got "2020-1-1"; allowed: a calendar date/,
    );
  });
  it('refuse values that would change what the run allocates', () => {
    // police detention is kept in a byte per resident up to 255 days; 300 would need two
    const doc = debtScenario(
      { police: { enabled: true, detentionDays: 15 } },
      { 'police.detentionDays': [{ day: 5, value: 300 }] },
    );
    expect(problems(doc)).toMatch(/on day 5: these values change what the model allocates/);
  });
});

describe('dates in exports', () => {
  it('every metric row of a dated run carries the date of its tick, and reads back as that tick', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pano-dated-'));
    const file = join(dir, 'dated.yaml');
    const doc = debtScenario({}, { 'behaviour.defaultRate': [{ date: '2020-01-11', value: 0.05 }] });
    writeFileSync(file, JSON.stringify({ ...doc, steps: 12 }));
    const cli = inProcessCli(models);
    const db = join(dir, 'r.duckdb');
    const run = await cli('run', file, '--db', db, '--no-progress', '--json');
    expect(run.code).toBe(0);
    const id = (JSON.parse(run.out) as { runId: string }).runId;
    const csv = join(dir, 'm.csv');
    expect((await cli('export', id, '--db', db, '--format', 'csv', '--out', csv)).code).toBe(0);
    const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
    expect(header.split(',').slice(0, 3)).toEqual(['run_id', 'tick', 'date']);
    const pairs = new Set(rows.map((r) => r.split(',').slice(1, 3).join(',')));
    expect([...pairs].sort()).toEqual(Array.from({ length: 13 }, (_, t) => `${t},${dateOf('2020-01-01', t)}`).sort());
    // the schedule's date is the first day with defaults
    // DuckDB writes the whole-population key '' as "" in CSV
    const defaults = rows.filter((r) => r.split(',')[3] === 'defaults' && ['', '""'].includes(r.split(',')[4]));
    const first = defaults
      .filter((r) => Number(r.split(',')[5]) > 0)
      .map((r) => r.split(',')[2])
      .sort()[0];
    expect(first).toBe('2020-01-11');
    // Parquet keeps the date as a DATE, which reads back as the same calendar day of each tick
    const parquet = join(dir, 'm.parquet');
    expect((await cli('export', id, '--db', db, '--format', 'parquet', '--out', parquet)).code).toBe(0);
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const types = (await duck.runAndReadAll(`DESCRIBE SELECT date FROM '${parquet}'`)).getRowObjectsJS();
    expect(types[0].column_type).toBe('DATE');
    const back = (
      await duck.runAndReadAll(`SELECT DISTINCT tick, strftime(date, '%Y-%m-%d') AS d FROM '${parquet}' ORDER BY tick`)
    ).getRowObjectsJS() as { tick: number; d: string }[];
    expect(back.map((r) => [Number(r.tick), r.d])).toEqual(
      Array.from({ length: 13 }, (_, t) => [t, dateOf('2020-01-01', t)]),
    );
    expect(back.map((r) => tickOf('2020-01-01', r.d))).toEqual(back.map((r) => Number(r.tick)));
  });
});
