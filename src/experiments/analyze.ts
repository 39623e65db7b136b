/**
 * Analysis of a stored experiment, from the store alone (no experiment file needed):
 * per point and arm, the mean, s.d. and 95 % interval of every output over replicates;
 * paired differences of each arm against the reference arm on common random numbers;
 * Morris and Sobol' indices for each arm and for each arm's difference from the
 * reference. The results are written to four tables (docs/experiments.md) and returned.
 */
import { DOUBLE, INTEGER, VARCHAR } from '@duckdb/node-api';
import { UserError } from '../scenario/errors.js';
import type { ExperimentDb } from './db.js';
import { morrisIndices, sobolIndices, type MorrisIndex, type SobolIndex } from './sensitivity.js';
import { interval, pairedDifference, type Interval, type Paired } from './stats.js';
import { insertColumns, loadValues } from './store.js';

export const ANALYSIS_SCHEMA = `
CREATE TABLE IF NOT EXISTS experiment_summary (
  experiment_id TEXT NOT NULL, point INTEGER NOT NULL, arm TEXT NOT NULL, output TEXT NOT NULL,
  n INTEGER NOT NULL, mean DOUBLE, sd DOUBLE, ci_low DOUBLE, ci_high DOUBLE, half_width DOUBLE
);
CREATE TABLE IF NOT EXISTS experiment_paired (
  experiment_id TEXT NOT NULL, point INTEGER NOT NULL, arm TEXT NOT NULL, reference TEXT NOT NULL, output TEXT NOT NULL,
  n INTEGER NOT NULL, mean_diff DOUBLE, sd_diff DOUBLE, ci_low DOUBLE, ci_high DOUBLE, vd_a DOUBLE
);
CREATE TABLE IF NOT EXISTS experiment_morris (
  experiment_id TEXT NOT NULL, arm TEXT NOT NULL, reference TEXT, output TEXT NOT NULL, factor TEXT NOT NULL,
  r INTEGER NOT NULL, mu DOUBLE, mu_star DOUBLE, sigma DOUBLE, mu_star_low DOUBLE, mu_star_high DOUBLE
);
CREATE TABLE IF NOT EXISTS experiment_sobol (
  experiment_id TEXT NOT NULL, arm TEXT NOT NULL, reference TEXT, output TEXT NOT NULL, factor TEXT NOT NULL,
  n INTEGER NOT NULL, s1 DOUBLE, s1_low DOUBLE, s1_high DOUBLE, st DOUBLE, st_low DOUBLE, st_high DOUBLE
);
`;

export interface SummaryRow extends Interval {
  readonly point: number;
  readonly arm: string;
  readonly output: string;
}
export interface PairedRow extends Paired {
  readonly point: number;
  readonly arm: string;
  readonly reference: string;
  readonly output: string;
}
export interface IndexTarget {
  readonly arm: string;
  /** Set when the indices are of the difference arm − reference. */
  readonly reference: string | null;
  readonly output: string;
}
export type MorrisRow = IndexTarget & MorrisIndex & { readonly factor: string };
export type SobolRow = IndexTarget & SobolIndex & { readonly factor: string };

export interface Analysis {
  readonly experimentId: string;
  readonly design: string;
  readonly arms: readonly string[];
  readonly reference: string;
  readonly factors: readonly string[];
  readonly outputs: readonly string[];
  readonly points: number;
  readonly summary: readonly SummaryRow[];
  readonly paired: readonly PairedRow[];
  readonly morris: readonly MorrisRow[];
  readonly sobol: readonly SobolRow[];
}

interface ExperimentRow {
  design: string;
  points: number;
  reference_arm: string;
}

export async function analyzeExperiment(
  db: ExperimentDb,
  expId: string,
  opts: { bootstrap?: number } = {},
): Promise<Analysis> {
  const bootstrap = opts.bootstrap ?? 1000;
  const meta = await db.read(async (tx) => {
    const exp = await tx.query<ExperimentRow>(
      'SELECT design, points, reference_arm FROM experiments WHERE experiment_id = $1',
      [expId],
    );
    if (!exp.length) {
      const ids = (
        await tx.query<{ experiment_id: string }>(
          'SELECT experiment_id FROM experiments ORDER BY created_at DESC LIMIT 8',
        )
      ).map((r) => r.experiment_id);
      throw new UserError(
        `experiment ${JSON.stringify(expId)} not found in ${db.path}${ids.length ? `; experiments: ${ids.join(', ')}` : '; the store has no experiments'}`,
      );
    }
    const arms = (
      await tx.query<{ arm: string }>('SELECT arm FROM experiment_arms WHERE experiment_id = $1 ORDER BY position', [
        expId,
      ])
    ).map((r) => r.arm);
    const factors = (
      await tx.query<{ factor: string }>(
        'SELECT factor FROM experiment_factors WHERE experiment_id = $1 ORDER BY position',
        [expId],
      )
    ).map((r) => r.factor);
    const outputs = (
      await tx.query<{ output: string }>(
        'SELECT output FROM experiment_outputs WHERE experiment_id = $1 ORDER BY position',
        [expId],
      )
    ).map((r) => r.output);
    const units = await tx.query<{ point: number; factor: string; unit: number | null }>(
      'SELECT point, factor, unit FROM experiment_points WHERE experiment_id = $1',
      [expId],
    );
    return { exp: exp[0], arms, factors, outputs, units };
  });
  const { arms, factors, outputs } = meta;
  const reference = meta.exp.reference_arm;
  const design = meta.exp.design.startsWith('{')
    ? (JSON.parse(meta.exp.design) as { type: string; samples?: number; trajectories?: number })
    : { type: meta.exp.design };
  const P = meta.exp.points;
  const k = factors.length;

  // values[arm][output][point] → replicate → value
  const values = new Map<string, Map<string, Map<number, Map<number, number>>>>();
  for (const v of await loadValues(db, expId)) {
    let byOut = values.get(v.arm);
    if (!byOut) values.set(v.arm, (byOut = new Map()));
    let byPoint = byOut.get(v.output);
    if (!byPoint) byOut.set(v.output, (byPoint = new Map()));
    let byRep = byPoint.get(v.point);
    if (!byRep) byPoint.set(v.point, (byRep = new Map()));
    byRep.set(v.replicate, v.value);
  }
  const reps = (arm: string, output: string, point: number) =>
    values.get(arm)?.get(output)?.get(point) ?? new Map<number, number>();

  const summary: SummaryRow[] = [];
  const paired: PairedRow[] = [];
  for (let p = 0; p < P; p++)
    for (const arm of arms)
      for (const output of outputs) {
        summary.push({ point: p, arm, output, ...interval([...reps(arm, output, p).values()]) });
        if (arm !== reference)
          paired.push({
            point: p,
            arm,
            reference,
            output,
            ...pairedDifference(reps(arm, output, p), reps(reference, output, p)),
          });
      }

  // What sensitivity indices are computed for: each arm, and each arm's difference from the reference.
  const targets: { arm: string; reference: string | null }[] = [
    ...arms.map((arm) => ({ arm, reference: null })),
    ...arms.filter((a) => a !== reference).map((arm) => ({ arm, reference })),
  ];
  const pointMean = (arm: string, ref: string | null, output: string, p: number): number => {
    if (!ref) {
      const xs = [...reps(arm, output, p).values()];
      return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
    }
    const d = pairedDifference(reps(arm, output, p), reps(ref, output, p));
    return d.n ? d.mean : NaN;
  };
  const unit: number[][] = Array.from({ length: P }, () => new Array<number>(k).fill(NaN));
  for (const u of meta.units) unit[u.point][factors.indexOf(u.factor)] = u.unit ?? NaN;

  const morris: MorrisRow[] = [];
  const sobol: SobolRow[] = [];
  if (design.type === 'morris' && k > 0) {
    const r = P / (k + 1);
    const traj = Array.from({ length: r }, (_, t) => unit.slice(t * (k + 1), (t + 1) * (k + 1)));
    for (const tg of targets)
      for (const output of outputs) {
        const y = Array.from({ length: r }, (_, t) =>
          Array.from({ length: k + 1 }, (_, s) => pointMean(tg.arm, tg.reference, output, t * (k + 1) + s)),
        );
        morrisIndices(traj, y, k, bootstrap).forEach((m, i) =>
          morris.push({ ...tg, output, factor: factors[i], ...m }),
        );
      }
  }
  if (design.type === 'sobol' && k > 0) {
    const N = P / (k + 2);
    for (const tg of targets)
      for (const output of outputs) {
        const y = (p: number) => pointMean(tg.arm, tg.reference, output, p);
        const yA = Array.from({ length: N }, (_, j) => y(j * (k + 2)));
        const yB = Array.from({ length: N }, (_, j) => y(j * (k + 2) + k + 1));
        const yAB = Array.from({ length: k }, (_, i) => Array.from({ length: N }, (_, j) => y(j * (k + 2) + i + 1)));
        sobolIndices(yA, yB, yAB, bootstrap).forEach((s, i) => sobol.push({ ...tg, output, factor: factors[i], ...s }));
      }
  }

  // A store opened read only (an archive, `panopticon serve`) gets the analysis without keeping it.
  if (!db.readOnly)
    await db.write(async (tx) => {
      await tx.run(ANALYSIS_SCHEMA);
      for (const t of ['experiment_summary', 'experiment_paired', 'experiment_morris', 'experiment_sobol'])
        await tx.run(`DELETE FROM ${t} WHERE experiment_id = $1`, [expId]);
      const id = (n: number) => new Array<string>(n).fill(expId);
      const num = (xs: readonly number[]) => xs.map((x) => (Number.isNaN(x) ? null : x));
      await insertColumns(tx, 'experiment_summary', [
        { name: 'experiment_id', type: VARCHAR, values: id(summary.length) },
        { name: 'point', type: INTEGER, values: summary.map((r) => r.point) },
        { name: 'arm', type: VARCHAR, values: summary.map((r) => r.arm) },
        { name: 'output', type: VARCHAR, values: summary.map((r) => r.output) },
        { name: 'n', type: INTEGER, values: summary.map((r) => r.n) },
        { name: 'mean', type: DOUBLE, values: num(summary.map((r) => r.mean)) },
        { name: 'sd', type: DOUBLE, values: num(summary.map((r) => r.sd)) },
        { name: 'ci_low', type: DOUBLE, values: num(summary.map((r) => r.low)) },
        { name: 'ci_high', type: DOUBLE, values: num(summary.map((r) => r.high)) },
        { name: 'half_width', type: DOUBLE, values: num(summary.map((r) => r.halfWidth)) },
      ]);
      await insertColumns(tx, 'experiment_paired', [
        { name: 'experiment_id', type: VARCHAR, values: id(paired.length) },
        { name: 'point', type: INTEGER, values: paired.map((r) => r.point) },
        { name: 'arm', type: VARCHAR, values: paired.map((r) => r.arm) },
        { name: 'reference', type: VARCHAR, values: paired.map((r) => r.reference) },
        { name: 'output', type: VARCHAR, values: paired.map((r) => r.output) },
        { name: 'n', type: INTEGER, values: paired.map((r) => r.n) },
        { name: 'mean_diff', type: DOUBLE, values: num(paired.map((r) => r.mean)) },
        { name: 'sd_diff', type: DOUBLE, values: num(paired.map((r) => r.sd)) },
        { name: 'ci_low', type: DOUBLE, values: num(paired.map((r) => r.low)) },
        { name: 'ci_high', type: DOUBLE, values: num(paired.map((r) => r.high)) },
        { name: 'vd_a', type: DOUBLE, values: num(paired.map((r) => r.a)) },
      ]);
      await insertColumns(tx, 'experiment_morris', [
        { name: 'experiment_id', type: VARCHAR, values: id(morris.length) },
        { name: 'arm', type: VARCHAR, values: morris.map((r) => r.arm) },
        { name: 'reference', type: VARCHAR, values: morris.map((r) => r.reference) },
        { name: 'output', type: VARCHAR, values: morris.map((r) => r.output) },
        { name: 'factor', type: VARCHAR, values: morris.map((r) => r.factor) },
        { name: 'r', type: INTEGER, values: morris.map((r) => r.r) },
        { name: 'mu', type: DOUBLE, values: num(morris.map((r) => r.mu)) },
        { name: 'mu_star', type: DOUBLE, values: num(morris.map((r) => r.muStar)) },
        { name: 'sigma', type: DOUBLE, values: num(morris.map((r) => r.sigma)) },
        { name: 'mu_star_low', type: DOUBLE, values: num(morris.map((r) => r.muStarLow)) },
        { name: 'mu_star_high', type: DOUBLE, values: num(morris.map((r) => r.muStarHigh)) },
      ]);
      await insertColumns(tx, 'experiment_sobol', [
        { name: 'experiment_id', type: VARCHAR, values: id(sobol.length) },
        { name: 'arm', type: VARCHAR, values: sobol.map((r) => r.arm) },
        { name: 'reference', type: VARCHAR, values: sobol.map((r) => r.reference) },
        { name: 'output', type: VARCHAR, values: sobol.map((r) => r.output) },
        { name: 'factor', type: VARCHAR, values: sobol.map((r) => r.factor) },
        { name: 'n', type: INTEGER, values: sobol.map((r) => r.n) },
        { name: 's1', type: DOUBLE, values: num(sobol.map((r) => r.s1)) },
        { name: 's1_low', type: DOUBLE, values: num(sobol.map((r) => r.s1Low)) },
        { name: 's1_high', type: DOUBLE, values: num(sobol.map((r) => r.s1High)) },
        { name: 'st', type: DOUBLE, values: num(sobol.map((r) => r.st)) },
        { name: 'st_low', type: DOUBLE, values: num(sobol.map((r) => r.stLow)) },
        { name: 'st_high', type: DOUBLE, values: num(sobol.map((r) => r.stHigh)) },
      ]);
    });
  return {
    experimentId: expId,
    design: design.type,
    arms,
    reference,
    factors,
    outputs,
    points: P,
    summary,
    paired,
    morris,
    sobol,
  };
}
