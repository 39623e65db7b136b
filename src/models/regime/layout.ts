/**
 * Population layout and state columns of the regime model.
 *
 * Agents are laid out region → cell → household, so a resident's region and cell follow
 * from its index and its household from the HEAD flag that opens each household; nothing
 * about membership is stored as an id. Shards cut at cell boundaries, so every per-cell and
 * per-household interaction (neighbours reporting neighbours, family spillover) stays
 * inside one shard and needs no locking.
 */
import type { ColumnSpec, ModelLayout } from '../../engine/model.js';
import { mechanisms, metricNames } from './mechanisms.js';
import { DISPARITY_HARMS, MetricTable } from './metrics.js';
import type { RegimeParams } from './params.js';
import { COUNTDOWN_NAMES, countdownType, sparseCountdowns } from './countdowns.js';

/** Bits of the `flags` column (u16). */
export const F = {
  ACTIVE: 1 << 0,
  DETAINED: 1 << 1,
  BLACKLISTED: 1 << 2,
  REDLISTED: 1 << 3,
  INFORMANT: 1 << 4,
  OBSERVER: 1 << 5,
  /** First member of a household: households are runs of residents, each opened by one. */
  HEAD: 1 << 6,
  ACCOUNT_CLOSED: 1 << 7,
  IN_DEFAULT: 1 << 8,
  WRONGFUL_LISTING: 1 << 9,
  APPEAL_PENDING: 1 << 10,
  RECORDED_DEFAULT: 1 << 11,
  PREEMPTIVE: 1 << 12,
  WRONGFUL_DETENTION: 1 << 13,
  CHILD: 1 << 14,
  /** The current blacklisting came from a court judgment on a default (removable by repaying). */
  LIST_BY_JUDGMENT: 1 << 15,
} as const;

/** Bits of the `acts` column (u8): what an agent did today. */
export const A = {
  PROTEST: 1 << 0,
  INFRACTION: 1 << 1,
  POST: 1 << 2,
  DEFAULT: 1 << 3,
  REPAY: 1 << 4,
  CIVIC: 1 << 5,
  WOULD_PROTEST: 1 << 6,
  /**
   * Set at night by the fast day on a resident who protested today (ACTIVE): the next act
   * phase reads `acts` only for residents visited last night (fast/lazy.ts), and this tells
   * it whose ACTIVE flag to clear. Cleared by the act phase before anything else reads `acts`.
   */
  WAS_ACTIVE: 1 << 7,
} as const;

/** Bits of the `events` column (u16): what the system recorded about an agent today. */
export const E = {
  PROTEST: 1 << 0,
  INFRACTION: 1 << 1,
  POST: 1 << 2,
  DEFAULT: 1 << 3,
  CIVIC: 1 << 4,
  /** The recorded protest or infraction was attributed to the wrong person. */
  FALSE_PROTEST: 1 << 5,
  FALSE_INFRACTION: 1 << 6,
  /** A malicious report (false, with intent) was filed against the agent. */
  MALICIOUS: 1 << 7,
  /** Informant filed a report today (earns points). */
  REPORTED_SOMEONE: 1 << 8,
  /** Sanctioned today (detained or listed): the household feels it. */
  SANCTIONED: 1 << 9,
  /** Sanctioned today without cause (false attribution, wrongful listing, false pre-emptive). */
  WRONGED: 1 << 10,
  /** Today's sanction is visible to the cell (detentions; listings where published). */
  VISIBLE: 1 << 11,
  DETAINED_TODAY: 1 << 12,
  /** Another member of the household was sanctioned today (set by the fast day's settle). */
  HOUSEHOLD_HIT: 1 << 13,
  /** An adult of the household is blacklisted at the end of today (set by settle). */
  FAMILY_LISTED: 1 << 14,
} as const;

/**
 * The `group` byte: the resident's group in the low 4 bits (at most 16 groups), and — when
 * the platform closes accounts after at most 15 strikes — its strike count in the high 4
 * bits, so censorship costs no column of its own. Read a group as `group[i] & GROUP_MASK`.
 */
export const GROUP_MASK = 0x0f;
export const STRIKE_SHIFT = 4;
export const MAX_PACKED_STRIKES = 15;

/** Whether platform strikes live in the group byte (else in a `strikes` column). */
export function strikesPacked(p: RegimeParams): boolean {
  return p.platform.strikesToClose <= MAX_PACKED_STRIKES;
}

/**
 * First member of resident i's household, in a cell starting at `cellStart`. Households
 * never span cells and every cell opens with one, so the walk back ends at a HEAD.
 */
export function householdStart(flags: ArrayLike<number>, i: number, cellStart: number): number {
  while (i > cellStart && !(flags[i] & F.HEAD)) i--;
  return i;
}

/** One past the last member of the household opened at h, within a cell ending at `end`. */
export function householdEnd(flags: ArrayLike<number>, h: number, end: number): number {
  let j = h + 1;
  while (j < end && !(flags[j] & F.HEAD)) j++;
  return j;
}

export interface RegimeLayout extends ModelLayout {
  readonly cells: number;
  readonly regions: number;
  readonly groups: number;
  /** Agents per region (exact), cell → region, first cell of each region. */
  readonly regionAgents: Float64Array;
  readonly cellRegion: Uint8Array;
  /**
   * Cell → first word of its bits in a per-resident bitset (`visits`): each cell's bits
   * start on a word of their own, so that shards (whole cells) never share a word.
   */
  readonly wordStarts: Uint32Array;
  readonly metricTable: MetricTable;
  /** Index of the first global value of each kind (see globals.ts). */
  readonly globalsLayout: GlobalsLayout;
}

export interface GlobalsLayout {
  /** Per region: share of detected protesters police can arrest today. */
  readonly arrestRatio: number;
  /** Per region: predictive threshold bin and the admission probability inside it. */
  readonly riskThresholdBin: number;
  readonly riskThresholdFraction: number;
  /** Per region: mobile observers passing an average cell. */
  readonly observersPerCell: number;
  /** Per group: members (set at init). */
  readonly groupPopulation: number;
  /** Per region: residents (exact). */
  readonly regionPopulation: number;
  /** Adults: overall (one value), per group, per region (set at init). */
  readonly adultPopulation: number;
  readonly adultGroupPopulation: number;
  readonly adultRegionPopulation: number;
  /** Per disparity harm × group: cumulative count since tick 0. */
  readonly cumulativeHarm: number;
  readonly total: number;
}

export const RISK_BINS = 64;

/** Split n into parts proportional to weights, exactly (largest-remainder rounding). */
export function apportion(n: number, weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (n * w) / total);
  const parts = raw.map(Math.floor);
  let rest = n - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; rest > 0; k = (k + 1) % order.length, rest--) parts[order[k][1]]++;
  return parts;
}

const cache = new WeakMap<RegimeParams, RegimeLayout>();

export function regimeLayout(p: RegimeParams): RegimeLayout {
  const cached = cache.get(p);
  if (cached) return cached;
  const { agents, cellSize, regions: regionList, groups: groupList } = p.population;
  const R = regionList.length;
  const G = groupList.length;
  const regionAgents = apportion(
    agents,
    regionList.map((r) => r.populationShare),
  );
  const cellsPerRegion = regionAgents.map((n) => Math.max(1, Math.round(n / cellSize)));
  const cells = cellsPerRegion.reduce((a, b) => a + b, 0);
  const unitStarts = new Uint32Array(cells + 1);
  const cellRegion = new Uint8Array(cells);
  let c = 0;
  let start = 0;
  for (let r = 0; r < R; r++) {
    // Equal cells: the first (n mod cells) get one resident more.
    const n = regionAgents[r];
    const k = cellsPerRegion[r];
    for (let j = 0; j < k; j++) {
      const size = Math.floor(n / k) + (j < n % k ? 1 : 0);
      unitStarts[c] = start;
      cellRegion[c] = r;
      start += size;
      c++;
    }
  }
  unitStarts[cells] = start;
  const wordStarts = new Uint32Array(cells + 1);
  for (let k = 0; k < cells; k++)
    wordStarts[k + 1] = wordStarts[k] + Math.ceil((unitStarts[k + 1] - unitStarts[k]) / 32);

  const metricTable = new MetricTable(
    metricNames(),
    groupList.map((g) => g.name),
    regionList.map((r) => r.name),
    p.score.bands.map((b) => b.grade),
    R,
    RISK_BINS,
  );

  let g0 = 0;
  const take = (n: number): number => {
    const at = g0;
    g0 += n;
    return at;
  };
  const globalsLayout: GlobalsLayout = {
    arrestRatio: take(R),
    riskThresholdBin: take(R),
    riskThresholdFraction: take(R),
    observersPerCell: take(R),
    groupPopulation: take(G),
    regionPopulation: take(R),
    adultPopulation: take(1),
    adultGroupPopulation: take(G),
    adultRegionPopulation: take(R),
    cumulativeHarm: take(DISPARITY_HARMS.length * G),
    total: 0,
  };
  (globalsLayout as { total: number }).total = g0;

  const n = agents;
  const sparse = sparseCountdowns(p);
  const columns: ColumnSpec[] = [
    { name: 'flags', type: 'u16', length: n },
    { name: 'group', type: 'u8', length: n },
    { name: 'hardship', type: 'u8', length: n },
    { name: 'riskAversion', type: 'u8', length: n },
    { name: 'legitimacy', type: 'u16', length: n },
    // Detention runs down a day at a time, whichever mechanism detained.
    ...(p.police.enabled || p.predictive.enabled
      ? [
          {
            name: 'detainDays',
            type: countdownType(Math.max(p.police.detentionDays, p.predictive.detentionDays)),
            length: n,
          },
        ]
      : []),
    // Columns a mechanism needs exist only when it is on, so a scenario pays in memory
    // only for what it models (code reaching an absent column fails loudly).
    ...mechanisms().flatMap((m) => m.columns?.(p, { agents: n, cells }) ?? []),
    { name: 'acts', type: 'u8', length: n },
    { name: 'events', type: 'u16', length: n },
    { name: 'cellActives', type: 'u32', length: cells },
    { name: 'cellSanctionsSeen', type: 'f32', length: cells },
    { name: 'cellInformants', type: 'u16', length: cells },
    { name: 'cellCentre', type: 'u8', length: cells },
    { name: 'cellReports', type: 'u32', length: cells },
    // The fast day (fast/lazy.ts): whom to visit tonight, one bit per resident; per cell the
    // legitimacy map, the bounds it was classified under, the bounds its sampled acts are
    // thinned from (grievance of free adults, how many are in default) and sums by group.
    { name: 'visits', type: 'u32', length: wordStarts[cells] },
    { name: 'cellMapScale', type: 'f64', length: cells },
    { name: 'cellMapShift', type: 'f64', length: cells },
    { name: 'cellShiftFloor', type: 'f64', length: cells },
    { name: 'cellRiskFloor', type: 'f64', length: cells },
    { name: 'cellGrievanceBound', type: 'f64', length: cells },
    { name: 'cellDefaulters', type: 'u32', length: cells },
    { name: 'cellGroupResidents', type: 'u32', length: cells * G },
    { name: 'cellGroupAdults', type: 'u32', length: cells * G },
    { name: 'cellGroupHardship', type: 'f64', length: cells * G },
    { name: 'cellGroupCodes', type: 'f64', length: cells * G },
    { name: 'cellGroupHardshipCodes', type: 'f64', length: cells * G },
  ];
  const layout: RegimeLayout = {
    agents: n,
    columns,
    metrics: metricTable.specs,
    globals: globalsLayout.total,
    unitStarts,
    agentsPerShard: p.agentsPerShard,
    // The enforcement rule reads all three, whether or not their mechanisms are on.
    sparse: sparse ? COUNTDOWN_NAMES : [],
    cells,
    regions: R,
    groups: G,
    regionAgents: Float64Array.from(regionAgents),
    cellRegion,
    wordStarts,
    metricTable,
    globalsLayout,
  };
  cache.set(p, layout);
  return layout;
}
