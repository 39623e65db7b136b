/**
 * End-of-day tally: per-cell aggregates the next day's decisions read (protesters in the
 * cell), stock metrics by group and region, the score distribution by grade band, and
 * cumulative disparity ratios per harm.
 */
import type { GlobalContext, ShardContext } from '../../engine/model.js';
import { CellChannels } from './channels.js';
import { householdHasListedAdult } from './family.js';
import { expressedView, surveyed, SUPPORT } from './views.js';
import { A, F, GROUP_MASK } from './bits.js';
import { householdEnd, regimeLayout } from './layout.js';
import { DISPARITY_HARMS } from './metrics.js';
import type { RegimeParams } from './params.js';
import { U16, U8 } from './population.js';
import { gradeIndex, scoreMoves } from './score.js';

/** Detained pre-emptively or for an act not done, or listed for one. */
export function heldUnjustly(f: number): boolean {
  return (
    (f & F.DETAINED && (f & (F.PREEMPTIVE | F.WRONGFUL_DETENTION)) !== 0) ||
    (f & (F.BLACKLISTED | F.WRONGFUL_LISTING)) === (F.BLACKLISTED | F.WRONGFUL_LISTING)
  );
}

function tally(ctx: ShardContext<RegimeParams>, atInit: boolean): void {
  const p = ctx.params;
  const layout = regimeLayout(p);
  const mt = layout.metricTable;
  const gl = layout.globalsLayout;
  const flags = ctx.columns.flags as Uint16Array;
  const { group, hardship, legitimacy, scoreOffset, acts } = ctx.columns;
  const cellActives = ctx.columns.cellActives;
  const starts = layout.unitStarts;
  const G = layout.groups;
  const invAll = 1 / layout.agents;
  const invAdults = 1 / Math.max(1, ctx.globals[gl.adultPopulation]);
  const invAdultGroup = Array.from({ length: G }, (_, g) => 1 / Math.max(1, ctx.globals[gl.adultGroupPopulation + g]));
  const invAdultRegion = Array.from(
    { length: layout.regions },
    (_, r) => 1 / Math.max(1, ctx.globals[gl.adultRegionPopulation + r]),
  );
  const invGroup = Array.from({ length: G }, (_, g) => 1 / Math.max(1, ctx.globals[gl.groupPopulation + g]));
  const invRegion = Array.from({ length: layout.regions }, (_, r) => 1 / Math.max(1, layout.regionAgents[r]));
  const B = {
    population: mt.base('population'),
    adults: mt.base('adults'),
    quiet: mt.base('quiet'),
    active: mt.base('active'),
    detained: mt.base('detained'),
    blacklisted: mt.base('blacklisted'),
    redlisted: mt.base('redlisted'),
    informants: mt.base('informants'),
    observers: mt.base('observers'),
    closed: mt.base('accounts_closed'),
    inDefault: mt.base('in_default'),
    legitimacy: mt.base('legitimacy_mean'),
    grievance: mt.base('grievance_mean'),
    score: mt.base('score_mean'),
    wrongful: mt.base('wrongful_listing_days'),
    family: mt.base('family_affected'),
    childrenBarred: mt.base('children_barred'),
    wronglyDetained: mt.base('detained_wrongly'),
    heldUnjustly: mt.base('held_unjustly'),
    sample: mt.base('survey_sample'),
    private: mt.base('support_private'),
    direct: mt.base('support_direct'),
  };
  const acc = ctx.acc;
  const addMean = (base: number, g: number, r: number, v: number): void => {
    acc[base] += v * invAll;
    acc[base + 1 + g] += v * invGroup[g];
    acc[base + 1 + G + r] += v * invRegion[r];
  };
  const addAdultMean = (base: number, g: number, r: number, v: number): void => {
    acc[base] += v * invAdults;
    acc[base + 1 + g] += v * invAdultGroup[g];
    acc[base + 1 + G + r] += v * invAdultRegion[r];
  };
  const barChildren = p.family.enabled && p.family.childrenBarred && p.sanctions.enabled;
  const scoreInPlay = scoreMoves(p);

  // What residents perceive tonight (the fast day computes it for tomorrow's decisions).
  const ch = new CellChannels(ctx);
  const perception = ch.perception;
  const perceivedBase = mt.base('perceived_protest_detection');
  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    const r = layout.cellRegion[c];
    let actives = 0;
    // Perceived surveillance does not depend on the day's actives (only police detection does).
    ch.update(
      p.population.regions[r],
      starts[c + 1] - starts[c],
      ctx.columns.cellInformants[c],
      ctx.columns.cellCentre[c] === 1,
      ctx.globals[gl.observersPerCell + r],
      ctx.columns.cellSanctionsSeen[c],
      cellActives[c],
      c,
    );
    const speech = Math.max(ch.platform, ch.offline);
    for (let h = starts[c]; h < starts[c + 1];) {
      const next = householdEnd(flags, h, starts[c + 1]);
      const listedInHousehold = householdHasListedAdult(flags, h, next);
      for (let i = h; i < next; i++) {
        const f = flags[i];
        const g = group[i] & GROUP_MASK;
        if (!atInit) {
          mt.add(acc, B.population, g, r, 1);
          if (f & F.OBSERVER) mt.add(acc, B.observers, g, r, 1);
        }
        if (!(f & F.CHILD)) {
          if (!atInit) mt.add(acc, B.adults, g, r, 1);
          // Tomorrow's A counts those still protesting; the metric, everyone who protested today.
          if (f & F.ACTIVE) actives++;
          if (acts[i] & A.PROTEST) mt.add(acc, B.active, g, r, 1);
          else if (!(f & F.DETAINED)) mt.add(acc, B.quiet, g, r, 1);
        }
        if (f & F.DETAINED) mt.add(acc, B.detained, g, r, 1);
        if (f & F.BLACKLISTED) {
          mt.add(acc, B.blacklisted, g, r, 1);
          if (f & F.WRONGFUL_LISTING) mt.add(acc, B.wrongful, g, r, 1);
        } else if (listedInHousehold && p.family.enabled) {
          mt.add(acc, B.family, g, r, 1);
          if (barChildren && f & F.CHILD) mt.add(acc, B.childrenBarred, g, r, 1);
        }
        if (f & F.REDLISTED) mt.add(acc, B.redlisted, g, r, 1);
        if (f & F.INFORMANT) mt.add(acc, B.informants, g, r, 1);
        if (f & F.ACCOUNT_CLOSED) mt.add(acc, B.closed, g, r, 1);
        if (f & F.IN_DEFAULT) mt.add(acc, B.inDefault, g, r, 1);
        const L = legitimacy[i] / U16;
        addMean(B.legitimacy, g, r, L);
        addMean(B.grievance, g, r, (hardship[i] / U8) * (1 - L));
        if (!(f & F.CHILD)) {
          // Only adults are scored; children would pile up at the base score. The mean is of
          // points above the base; `scoreBase` adds the base once (exactly, with no score in play).
          const points = scoreInPlay ? p.score.base + scoreOffset[i] : p.score.base;
          addAdultMean(B.score, g, r, points - p.score.base);
          acc[mt.gradeBase + gradeIndex(p, points)]++;
        }
        if (f & F.DETAINED && f & F.WRONGFUL_DETENTION) mt.add(acc, B.wronglyDetained, g, r, 1);
        addMean(perceivedBase, g, r, ch.protest);
        if (surveyed(p, i) && !(f & (F.CHILD | F.DETAINED))) {
          const s = perception.of(i, speech, ctx.tick);
          const E = expressedView(p, L, s, ctx.columns.riskAversion[i] / U8);
          mt.add(acc, B.sample, g, r, 1);
          if (L >= SUPPORT) mt.add(acc, B.private, g, r, 1);
          if (E >= SUPPORT) mt.add(acc, B.direct, g, r, 1);
        }
        if (heldUnjustly(f)) mt.add(acc, B.heldUnjustly, g, r, 1);
      }
      h = next;
    }
    cellActives[c] = actives;
  }
}

export function tallyStep(ctx: ShardContext<RegimeParams>): void {
  tally(ctx, false);
}

/** At tick 0 synthesis has already counted population, adults and observers. */
export function tallyInit(ctx: ShardContext<RegimeParams>): void {
  tally(ctx, true);
}

/**
 * Disparate impact: each group's cumulative harm per adult member divided by the reference
 * (first) group's. 1 means parity; NaN while neither is harmed, Infinity when only
 * this group is.
 */
export function disparity(ctx: GlobalContext<RegimeParams>): void {
  const layout = regimeLayout(ctx.params);
  const mt = layout.metricTable;
  const gl = layout.globalsLayout;
  const G = layout.groups;
  DISPARITY_HARMS.forEach((harm, h) => {
    const base = mt.base(harm);
    for (let g = 0; g < G; g++) {
      let today = 0;
      for (const acc of ctx.shardAccs) today += acc[base + 1 + g];
      ctx.globals[gl.cumulativeHarm + h * G + g] += today;
    }
    // Per adult member: every harm tracked here can only fall on adults.
    const refRate = ctx.globals[gl.cumulativeHarm + h * G] / Math.max(1, ctx.globals[gl.adultGroupPopulation]);
    for (let g = 0; g < G; g++) {
      const rate = ctx.globals[gl.cumulativeHarm + h * G + g] / Math.max(1, ctx.globals[gl.adultGroupPopulation + g]);
      // Undefined (NaN) while nobody is harmed; infinite when only this group is.
      ctx.acc[mt.disparityBase + h * G + g] = refRate > 0 ? rate / refRate : rate > 0 ? Infinity : NaN;
    }
  });
}

/** Add per-group sums to a mean metric at base b: overall, by group and for region r. */
function addMeans(
  acc: Float64Array,
  b: number,
  sums: Float64Array,
  G: number,
  r: number,
  all: number,
  group: readonly number[],
  region: number,
): void {
  let total = 0;
  for (let g = 0; g < G; g++) {
    total += sums[g];
    acc[b + 1 + g] += sums[g] * group[g];
  }
  acc[b] += total * all;
  acc[b + 1 + G + r] += total * region;
}

/** Stock counts in the order of TallyCounts.cnt (category × groups). */
const STOCKS = [
  'population',
  'observers',
  'adults',
  'active',
  'quiet',
  'detained',
  'blacklisted',
  'wrongful_listing_days',
  'family_affected',
  'children_barred',
  'redlisted',
  'informants',
  'accounts_closed',
  'in_default',
  'detained_wrongly',
  'held_unjustly',
  'survey_sample',
  'support_private',
  'support_direct',
] as const;

/**
 * One cell's stock counts and sums, kept locally and added to the metrics once per cell
 * (fast/settle.ts). `cnt[k·G + g]` counts residents of group g in stock k (STOCKS order).
 */
export class TallyCounts {
  readonly cnt: Float64Array;
  /** Per group: Σ stored legitimacy (units of 1/65535) and Σ hardship·(65535 − legitimacy); Σ points above the base. */
  readonly sumL: Float64Array;
  readonly sumGrievance: Float64Array;
  readonly sumScore: Float64Array;
  /** Per group: Σ of the cell's perceived protest detection over its residents. */
  readonly sumPerceived: Float64Array;
  private readonly G: number;
  private readonly bases: number[];
  private readonly means;
  private readonly inv;

  constructor(private readonly ctx: ShardContext<RegimeParams>) {
    const layout = regimeLayout(ctx.params);
    const gl = layout.globalsLayout;
    const mt = layout.metricTable;
    const G = (this.G = layout.groups);
    this.cnt = new Float64Array(STOCKS.length * G);
    this.sumL = new Float64Array(G);
    this.sumGrievance = new Float64Array(G);
    this.sumScore = new Float64Array(G);
    this.sumPerceived = new Float64Array(G);
    this.bases = STOCKS.map((s) => mt.base(s));
    this.means = {
      legitimacy: mt.base('legitimacy_mean'),
      grievance: mt.base('grievance_mean'),
      score: mt.base('score_mean'),
      perceived: mt.base('perceived_protest_detection'),
    };
    const inv1 = (n: number): number => 1 / Math.max(1, n);
    this.inv = {
      all: 1 / layout.agents,
      adults: inv1(ctx.globals[gl.adultPopulation]),
      group: Array.from({ length: G }, (_, g) => inv1(ctx.globals[gl.groupPopulation + g])),
      adultGroup: Array.from({ length: G }, (_, g) => inv1(ctx.globals[gl.adultGroupPopulation + g])),
      region: Array.from({ length: layout.regions }, (_, r) => inv1(layout.regionAgents[r])),
      adultRegion: Array.from({ length: layout.regions }, (_, r) => inv1(ctx.globals[gl.adultRegionPopulation + r])),
    };
  }

  clear(): void {
    this.cnt.fill(0);
    this.sumL.fill(0);
    this.sumGrievance.fill(0);
    this.sumScore.fill(0);
    this.sumPerceived.fill(0);
  }

  /** The common stocks and sums of group g in the cell (the fast day keeps them per cell and group). */
  group(
    g: number,
    population: number,
    adults: number,
    active: number,
    quiet: number,
    sumStored: number,
    sumGrievance: number,
    sumPoints: number,
  ): void {
    const { G, cnt } = this;
    cnt[g] = population;
    cnt[2 * G + g] = adults;
    cnt[3 * G + g] = active;
    cnt[4 * G + g] = quiet;
    this.sumL[g] = sumStored;
    this.sumGrievance[g] = sumGrievance;
    this.sumScore[g] = sumPoints;
  }

  /** The rarer stocks of one resident (population, adults, active and quiet come from `group`). */
  rare(f: number, g: number, familyOfListed: boolean, childrenBarred: boolean): void {
    const G = this.G;
    const cnt = this.cnt;
    if (f & F.OBSERVER) cnt[G + g]++;
    if (f & F.DETAINED) {
      cnt[5 * G + g]++;
      if (f & F.WRONGFUL_DETENTION) cnt[14 * G + g]++;
    }
    if (f & F.BLACKLISTED) {
      cnt[6 * G + g]++;
      if (f & F.WRONGFUL_LISTING) cnt[7 * G + g]++;
    } else if (familyOfListed) {
      cnt[8 * G + g]++;
      if (childrenBarred && f & F.CHILD) cnt[9 * G + g]++;
    }
    if (f & F.REDLISTED) cnt[10 * G + g]++;
    if (f & F.INFORMANT) cnt[11 * G + g]++;
    if (f & F.ACCOUNT_CLOSED) cnt[12 * G + g]++;
    if (f & F.IN_DEFAULT) cnt[13 * G + g]++;
    if (heldUnjustly(f)) cnt[15 * G + g]++;
  }

  /** One surveyed adult of group g (views.ts), with its private and expressed views. */
  survey(g: number, privateView: number, expressed: number): void {
    const G = this.G;
    this.cnt[16 * G + g]++;
    if (privateView >= SUPPORT) this.cnt[17 * G + g]++;
    if (expressed >= SUPPORT) this.cnt[18 * G + g]++;
  }

  /** Add the cell's counts and means (region r) to the shard's metrics. */
  flush(r: number): void {
    const { ctx, G, cnt, inv } = this;
    const acc = ctx.acc;
    const mt = regimeLayout(ctx.params).metricTable;
    for (let k = 0; k < STOCKS.length; k++) {
      for (let g = 0; g < G; g++) if (cnt[k * G + g] !== 0) mt.add(acc, this.bases[k], g, r, cnt[k * G + g]);
    }
    // Legitimacy and grievance are summed on their stored scales (see settle.ts).
    for (let g = 0; g < G; g++) {
      this.sumL[g] /= U16;
      this.sumGrievance[g] /= U8 * U16;
    }
    addMeans(acc, this.means.legitimacy, this.sumL, G, r, inv.all, inv.group, inv.region[r]);
    addMeans(acc, this.means.grievance, this.sumGrievance, G, r, inv.all, inv.group, inv.region[r]);
    addMeans(acc, this.means.score, this.sumScore, G, r, inv.adults, inv.adultGroup, inv.adultRegion[r]);
    addMeans(acc, this.means.perceived, this.sumPerceived, G, r, inv.all, inv.group, inv.region[r]);
  }
}

/**
 * The score's mean is accumulated as points above the base (so that it is exactly the base
 * when no score is in play, rather than a sum of a million rounded shares of it); this adds
 * the base to every slot once, after the shards.
 */
export function scoreBase(ctx: GlobalContext<RegimeParams>): void {
  const mt = regimeLayout(ctx.params).metricTable;
  const b = mt.base('score_mean');
  for (let k = 0; k < mt.stride; k++) ctx.acc[b + k] += ctx.params.score.base;
}
