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
import { scheduledFrom } from '../../engine/schedule.js';
import { derivedMetrics, mechanisms, metricNames } from './mechanisms.js';
import { DISPARITY_HARMS, MetricTable } from './metrics.js';
import type { RegimeParams } from './params.js';
import { F } from './bits.js';

export { A, E, F, GROUP_MASK, MAX_PACKED_STRIKES, STRIKE_SHIFT, strikesPacked } from './bits.js';
import { COUNTDOWN_NAMES, countdownType, sparseCountdowns } from './countdowns.js';

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
  /** Per group: by how much the share of its adults held or listed exceeds all adults' (response.ts). */
  readonly groupExcessHarm: number;
  /** Per group: cumulative pre-emptive detentions of would-be protesters, all of them, and would-be protesters. */
  readonly preemptiveTotals: number;
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
  // Parameters in force under a schedule lay out as their base (engine/schedule.ts).
  const base = scheduledFrom(p);
  if (base) {
    const shared = regimeLayout(base);
    cache.set(p, shared);
    return shared;
  }
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
    derivedMetrics(),
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
    groupExcessHarm: take(G),
    preemptiveTotals: take(3 * G),
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
            type: countdownType(
              Math.max(
                p.police.detentionDays,
                p.predictive.detentionDays,
                p.predictive.educationShare > 0 ? p.predictive.educationDays : 0,
              ),
            ),
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
    // Visible sanctions the cell remembers (weighted by how much it saw), and the wrongful ones among them.
    { name: 'cellSanctionsSeen', type: 'f32', length: cells },
    { name: 'cellWrongfulSeen', type: 'f32', length: cells },
    { name: 'cellInformants', type: 'u16', length: cells },
    { name: 'cellCentre', type: 'u8', length: cells },
    { name: 'cellReports', type: 'u32', length: cells },
    // The fast day (fast/lazy.ts): whom to visit tonight, one bit per resident; per cell and
    // group the legitimacy map and the bounds it was classified under; per cell the bounds its sampled acts are
    // thinned from (grievance of free adults, how many are in default) and sums by group.
    { name: 'visits', type: 'u32', length: wordStarts[cells] },
    { name: 'cellMapScale', type: 'f64', length: cells * G },
    { name: 'cellMapShift', type: 'f64', length: cells * G },
    { name: 'cellShiftFloor', type: 'f64', length: cells * G },
    { name: 'cellKeepFloor', type: 'f64', length: cells * G },
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
    sparse: [...(sparse ? COUNTDOWN_NAMES : []), ...mechanisms().flatMap((m) => m.sparse?.(p) ?? [])],
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
