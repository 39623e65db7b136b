/**
 * An experiment read from the store (issue 11's tables) into the chart module's plain data
 * and its provenance. The analysis (intervals, paired differences, Morris and Sobol indices)
 * is recomputed from the stored values with the experiment layer's own estimators, as
 * `panopticon experiment analyze` does, so the report never shows a stale table; a store
 * opened read only gets it without keeping it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyzeExperiment } from '../../experiments/analyze.js';
import type { ModelRegistry } from '../../models/registry.js';
import { unitAtPath } from '../../scenario/units.js';
import { isUserError } from '../../scenario/errors.js';
import { loadPreset, loadScenarioFile } from '../../scenario/load.js';
import type { ResultsStore } from '../../store/store.js';
import type { ExperimentData, ExperimentFactor, ExperimentOutput } from '../plans/experiment.js';
import { oddPathFor, parameterRecords, type ExperimentProvenance, type ParameterRecord } from '../report/provenance.js';
import { comparisonSections } from './load.js';
import { docHref } from './software.js';

/** Whether `table` (absent in a store that never held one) has a row whose `column` is `id`. */
export async function storeHolds(store: ResultsStore, table: string, column: string, id: string): Promise<boolean> {
  return store.read(async (tx) => {
    const t = await tx.query<{ n: number }>(
      'SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = $1',
      [table],
    );
    if (!t[0]?.n) return false;
    const rows = await tx.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${table} WHERE ${column} = $1`, [
      id,
    ]);
    return rows[0].n > 0;
  });
}

/** Whether the store holds an experiment with this id. */
export async function isExperiment(store: ResultsStore, id: string): Promise<boolean> {
  return storeHolds(store, 'experiments', 'experiment_id', id);
}

/** A stored number, or null for SQL NULL and NaN. */
export const num = (v: number | null | undefined): number | null =>
  v === null || v === undefined || Number.isNaN(v) ? null : v;

interface ExperimentRow {
  experiment_id: string;
  description: string | null;
  file: string;
  design: string;
  points: number;
  seed: number;
  steps: number;
  replicates: string;
  definition_hash: string;
  version: string;
  created_at: string;
  updated_at: string;
  status: string;
  runs_planned: number | null;
  runs_stored: number | null;
  runs_failed: number | null;
}

function rangeText(f: { low: number | null; high: number | null; levels: string | null; scale: string }): string {
  if (f.levels) return `levels ${f.levels}`;
  return `${f.low} to ${f.high}${f.scale === 'log' ? ' (log scale)' : ''}`;
}

/** A parameter path matches a factor path whose list items may be `*` or a name. */
function variedBy(path: string, factors: readonly { path: string; range: string }[]): string | undefined {
  for (const f of factors) {
    const re = new RegExp(
      `^${f.path
        .split('.')
        .map((p) => (p === '*' ? '[^.]+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('\\.')}$`,
    );
    if (re.test(path)) return f.range;
  }
  return undefined;
}

/** Citations of an arm's parameters: from its preset or scenario file as this Panopticon version reads them. */
function armSources(
  source: string,
  registry: ModelRegistry,
): { cited: Record<string, readonly string[]> | null; note: string } {
  try {
    if (source.startsWith('preset ')) {
      const s = loadPreset(source.slice('preset '.length), { registry });
      return {
        cited: s.sources,
        note: `citations from the preset ${source.slice(7)} as this version of Panopticon ships it`,
      };
    }
    if (existsSync(resolve(source))) {
      const s = loadScenarioFile(resolve(source), { registry });
      return { cited: s.sources, note: `citations from ${source} as it reads now` };
    }
    return { cited: null, note: `citations not known: ${source} is not where the experiment found it` };
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { cited: null, note: `citations not known: ${source} no longer loads (${e.message.split('\n')[0]})` };
  }
}

export async function loadExperiment(
  store: ResultsStore,
  id: string,
  registry: ModelRegistry,
): Promise<{ data: ExperimentData; provenance: ExperimentProvenance }> {
  const analysis = await analyzeExperiment(store, id);
  const t = await store.read(async (tx) => ({
    exp: (
      await tx.query<ExperimentRow>(
        `SELECT experiment_id, description, file, design, points, seed, steps, replicates, definition_hash, version,
                strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS created_at,
                strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS updated_at,
                status, runs_planned, runs_stored, runs_failed
         FROM experiments WHERE experiment_id = $1`,
        [id],
      )
    )[0],
    factors: await tx.query<{
      factor: string;
      path: string;
      low: number | null;
      high: number | null;
      levels: string | null;
      scale: string;
    }>(
      'SELECT factor, path, low, high, levels, scale FROM experiment_factors WHERE experiment_id = $1 ORDER BY position',
      [id],
    ),
    outputs: await tx.query<{
      output: string;
      metric: string;
      stat: string;
      key: string;
      tick_from: number;
      tick_to: number;
    }>(
      'SELECT output, metric, stat, key, tick_from, tick_to FROM experiment_outputs WHERE experiment_id = $1 ORDER BY position',
      [id],
    ),
    arms: await tx.query<{ arm: string; source: string; model: string; is_reference: boolean }>(
      'SELECT arm, source, model, is_reference FROM experiment_arms WHERE experiment_id = $1 ORDER BY position',
      [id],
    ),
    points: await tx.query<{ point: number; factor: string; value: number | null; value_text: string | null }>(
      'SELECT point, factor, value, value_text FROM experiment_points WHERE experiment_id = $1',
      [id],
    ),
    // the parameters of each arm's first design point, first replicate
    params: await tx.query<{ arm: string; params_json: string }>(
      `SELECT d.arm, r.params_json FROM experiment_design d JOIN experiment_runs r USING (experiment_id, run_key)
       WHERE d.experiment_id = $1 AND d.point = 0 AND d.replicate = 0`,
      [id],
    ),
    series: await tx.query<{
      arm: string;
      point: number;
      replicate: number;
      tick: number;
      metric: string;
      key: string;
      value: number | null;
    }>(
      `SELECT d.arm, d.point, d.replicate, s.tick, s.metric, s.key, s.value
       FROM experiment_series s JOIN experiment_design d USING (experiment_id, run_key)
       WHERE s.experiment_id = $1 ORDER BY d.arm, d.replicate, s.tick`,
      [id],
    ),
  }));
  const model = t.arms[0]?.model ?? 'regime';
  const labels: Record<string, string> = {};
  const rows = comparisonSections(registry, model).flatMap((s) => s.rows);
  for (const o of t.outputs) {
    const row = o.key === '' ? rows.find((r) => r.metric === o.metric && r.stat === o.stat) : undefined;
    if (row) labels[o.output] = row.label;
  }
  const schema = registry[model]?.params;
  const unit = (path: string) => (schema ? unitAtPath(schema, path) : '');
  const factors: ExperimentFactor[] = t.factors.map((f) => ({
    name: f.factor,
    path: f.path,
    low: f.low,
    high: f.high,
    levels: f.levels ? (JSON.parse(f.levels) as (number | string | boolean)[]) : null,
    scale: f.scale,
    ...(unit(f.path) ? { unit: unit(f.path) } : {}),
  }));
  const outputs: ExperimentOutput[] = t.outputs.map((o) => ({
    name: o.output,
    metric: o.metric,
    stat: o.stat as ExperimentOutput['stat'],
    key: o.key,
  }));
  const data: ExperimentData = {
    id,
    model,
    design: analysis.design,
    points: analysis.points,
    arms: analysis.arms,
    reference: analysis.reference,
    factors,
    outputs,
    pointValues: t.points.map((p) => ({ point: p.point, factor: p.factor, value: p.value ?? p.value_text })),
    summary: analysis.summary.map((s) => ({
      point: s.point,
      arm: s.arm,
      output: s.output,
      n: s.n,
      mean: num(s.mean),
      low: num(s.low),
      high: num(s.high),
    })),
    paired: analysis.paired.map((p) => ({
      point: p.point,
      arm: p.arm,
      reference: p.reference,
      output: p.output,
      n: p.n,
      mean: num(p.mean),
      low: num(p.low),
      high: num(p.high),
      a: num(p.a),
    })),
    morris: analysis.morris.map((m) => ({
      arm: m.arm,
      reference: m.reference,
      output: m.output,
      factor: m.factor,
      r: m.r,
      mu: num(m.mu),
      muStar: num(m.muStar),
      muStarLow: num(m.muStarLow),
      muStarHigh: num(m.muStarHigh),
      sigma: num(m.sigma),
    })),
    sobol: analysis.sobol.map((m) => ({
      arm: m.arm,
      reference: m.reference,
      output: m.output,
      factor: m.factor,
      n: m.n,
      s1: num(m.s1),
      s1Low: num(m.s1Low),
      s1High: num(m.s1High),
      st: num(m.st),
      stLow: num(m.stLow),
      stHigh: num(m.stHigh),
    })),
    series: t.series.map((r) => ({ ...r, value: num(r.value) })),
    outputLabels: labels,
  };
  const factorRanges = t.factors.map((f) => ({ name: f.factor, path: f.path, range: rangeText(f) }));
  const e = t.exp;
  const provenance: ExperimentProvenance = {
    id,
    description: e.description,
    file: e.file,
    design: e.design,
    points: e.points,
    seed: e.seed,
    steps: e.steps,
    replicates: e.replicates,
    definitionHash: e.definition_hash,
    version: e.version,
    createdAt: e.created_at,
    updatedAt: e.updated_at,
    status: e.status,
    runsPlanned: e.runs_planned,
    runsStored: e.runs_stored,
    runsFailed: e.runs_failed,
    factors: factorRanges,
    outputs: t.outputs.map((o) => ({
      name: o.output,
      metric: o.metric,
      stat: o.stat,
      key: o.key || 'overall',
      window: o.tick_from === o.tick_to ? `tick ${o.tick_to}` : `ticks ${o.tick_from}–${o.tick_to}`,
    })),
    arms: t.arms.map((a) => {
      const json = t.params.find((p) => p.arm === a.arm)?.params_json;
      const { cited, note } = armSources(a.source, registry);
      const params = json ? (JSON.parse(json) as Record<string, unknown>) : null;
      const parameters: ParameterRecord[] = params
        ? parameterRecords(params, cited).map((p) => {
            const varied = variedBy(p.path, factorRanges);
            return varied ? { ...p, varied } : p;
          })
        : [];
      const odd = oddPathFor(a.model);
      return {
        name: a.arm,
        source: a.source,
        model: a.model,
        isReference: a.is_reference,
        parameters,
        sourcesNote: params ? note : 'no run of this arm is stored',
        odd: odd ? { path: odd, href: docHref(odd) } : null,
      };
    }),
  };
  return { data, provenance };
}
