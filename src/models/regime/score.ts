/**
 * Credit score: a rule table of points per recorded event (a municipal point system
 * such as Rongcheng's starts everyone at 1,000 and moves them by fixed amounts), grade
 * bands, and daily restoration of a below-base score toward the base.
 */
import { E } from './bits.js';
import type { RegimeParams } from './params.js';
import { round } from './population.js';
import { z } from 'zod';
import { metric, type Mechanism } from './mechanism.js';
import { nonNegative, points } from './units.js';
import type { ShardContext } from '../../engine/model.js';
import { F } from './bits.js';
import { regimeLayout } from './layout.js';
import type { EnforcementStep, ResidentDay } from './mechanism.js';

export const scoreParams = z
  .object({
    enabled: z.boolean().default(false),
    base: z.number().int().min(0).max(30000).default(1000).describe('starting points'),
    infraction: points.default(-5).describe('points per recorded minor infraction'),
    protest: points.default(-50).describe('points per recorded protest'),
    post: points.default(-10).describe('points per detected critical post'),
    default: points.default(-50).describe('points per recorded default'),
    judgment: points.default(-100).describe('points per court judgment'),
    civic: points.default(5).describe('points per recorded civic contribution'),
    restorationPerDay: nonNegative
      .max(100)
      .default(0.05)
      .describe('points per day a below-base score recovers toward base'),
    bands: z
      .array(z.object({ grade: z.string().min(1).max(8), min: z.number().int() }).strict())
      .min(1)
      .max(12)
      .default([
        { grade: 'A', min: 960 },
        { grade: 'B', min: 850 },
        { grade: 'C', min: 600 },
        { grade: 'D', min: -32768 },
      ])
      .describe('grade bands, highest first: a score ≥ min gets the grade'),
  })
  .strict()
  .prefault({});

export const score: Mechanism = {
  key: 'score',
  title: 'a point score moved by a rule table of recorded events, with grade bands and restoration',
  role: { measurementOnly: 'points and grades; they act through the lists that read them' },
  enabled: (p) => p.score.enabled,
  metrics: [metric('score_mean', 'mean', 'state', 'mean credit score of adults')],
  // Points relative to the base (so untouched residents are zeros nobody writes), and the
  // points lost to false attributions, which a granted appeal gives back.
  columns: (p, { agents }) =>
    scoreMoves(p)
      ? [
          { name: 'scoreOffset', type: 'i16', length: agents },
          { name: 'falsePoints', type: 'i16', length: agents },
        ]
      : [],
  enforcement: (ctx) => (ctx.params.score.enabled ? [new ScoreStep(ctx)] : []),
};

/** Points for today's recorded events (informant rewards excluded). */
export function scoreDelta(p: RegimeParams, events: number): number {
  const s = p.score;
  let d = 0;
  if (events & E.PROTEST) d += s.protest;
  if (events & E.INFRACTION) d += s.infraction;
  if (events & E.POST) d += s.post;
  if (events & E.DEFAULT) d += s.default;
  if (events & E.CIVIC) d += s.civic;
  return d;
}

/** The part of today's delta caused by false attributions (false matches and false reports). */
export function falseScoreDelta(p: RegimeParams, events: number): number {
  let d = 0;
  if (events & E.FALSE_PROTEST) d += p.score.protest;
  if (events & E.FALSE_INFRACTION) d += p.score.infraction;
  return d;
}

/** Index of the grade band a score falls in (bands highest first). */
export function gradeIndex(p: RegimeParams, score: number): number {
  const bands = p.score.bands;
  for (let k = 0; k < bands.length; k++) if (score >= bands[k].min) return k;
  return bands.length - 1;
}

/** Whole points restored today (the fractional rate is applied stochastically with u). */
export function restoration(p: RegimeParams, score: number, u: number): number {
  if (score >= p.score.base) return 0;
  const rate = p.score.restorationPerDay;
  const whole = Math.floor(rate) + (u < rate - Math.floor(rate) ? 1 : 0);
  return Math.min(whole, p.score.base - score);
}

/** Round and keep a score within what its column can hold: base − 32,768 … base + 32,767. */
export function clampScore(p: RegimeParams, x: number): number {
  return p.score.base + clampPoints(x - p.score.base);
}

/** Round and keep a point count within a signed 16-bit column. */
export function clampPoints(x: number): number {
  return x < -32768 ? -32768 : x > 32767 ? 32767 : round(x);
}

/**
 * Whether any resident's score can leave the base: the score module is on, or the lists
 * can blacklist by a cut-off above the base (and so restore scores to it on expiry). When
 * not, every score is the base and the score column is neither read nor written.
 */
export function scoreMoves(p: RegimeParams): boolean {
  return p.score.enabled || (p.lists.enabled && p.score.base < p.lists.blacklistBelowScore);
}

/**
 * Today's points: the rule table for recorded events and a judgment, informants' rewards,
 * restoration toward the base; the points lost to false attributions are kept apart.
 */
class ScoreStep implements EnforcementStep {
  readonly slot = 'score';
  // Restoration and rewards reach residents with nothing on record today.
  readonly idle = true;
  readonly onProtest = true;
  private readonly p: RegimeParams;
  private readonly flags: Uint16Array;
  private readonly falsePoints: Int16Array;
  private readonly cellReports: Uint32Array;
  private rewardPerInformant = 0;

  constructor(private readonly ctx: ShardContext<RegimeParams>) {
    this.p = ctx.params;
    this.flags = ctx.columns.flags as Uint16Array;
    this.falsePoints = ctx.columns.falsePoints as Int16Array;
    this.cellReports = ctx.columns.cellReports as Uint32Array;
  }

  /** True reports of the cell are shared among the informants free to collect (detained ones get none). */
  begin(c: number): void {
    const starts = regimeLayout(this.p).unitStarts;
    let freeInformants = 0;
    if (this.cellReports[c] > 0) {
      for (let i = starts[c]; i < starts[c + 1]; i++) {
        if ((this.flags[i] & (F.INFORMANT | F.DETAINED)) === F.INFORMANT) freeInformants++;
      }
    }
    this.rewardPerInformant = freeInformants > 0 ? this.cellReports[c] / freeInformants : 0;
  }

  run(d: ResidentDay): void {
    const p = this.p;
    let delta = scoreDelta(p, d.e) + (d.judgment ? p.score.judgment : 0);
    if (d.f & F.INFORMANT && !(d.f & F.DETAINED)) {
      // Its own false or reprisal report, plus a share of the cell's true reports.
      let reports = d.e & E.REPORTED_SOMEONE ? 1 : 0;
      if (this.rewardPerInformant > 0) {
        reports += Math.floor(this.rewardPerInformant) + (d.rng.uniform() < this.rewardPerInformant % 1 ? 1 : 0);
      }
      delta += reports * p.informants.reportReward;
    }
    const restored = restoration(p, d.s + delta, d.rng.uniform());
    d.s = clampScore(p, d.s + delta + restored);
    let fp = this.falsePoints[d.i] + falseScoreDelta(p, d.e);
    if (restored > 0 && fp < 0) fp = Math.min(0, fp + restored);
    this.falsePoints[d.i] = clampPoints(fp);
  }
}
