/**
 * Synthesis of the population from aggregate parameters only (no individual data):
 * households by the size distribution, a group per household by the group shares,
 * children inside households, traits drawn per agent, informants and gig workers by
 * regional and group rates, service centres by regional coverage.
 */
import type { GlobalContext, ShardContext } from '../../engine/model.js';
import { observersPassingCell } from './grid.js';
import { F } from './bits.js';
import { regimeLayout } from './layout.js';
import type { RegimeParams } from './params.js';

export const U8 = 255;
export const U16 = 65535;

/**
 * Math.round for the model's quantised values (ties toward +∞, as Math.round): the same
 * result for every value the model rounds, but V8's optimised code runs Math.round about
 * 10× slower than Math.floor on this hardware (measured in a daily loop over residents).
 */
export function round(x: number): number {
  return Math.floor(x + 0.5);
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** Index into a discrete distribution given a uniform u. */
export function pick(weights: readonly number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length - 1; i++) {
    acc += weights[i];
    if (u < acc) return i;
  }
  return weights.length - 1;
}

/**
 * Probability that a non-head member of a multi-person household is a child, chosen so
 * that children make up `childShare` of all residents in expectation.
 */
export function childProbability(p: RegimeParams): number {
  const sizes = p.population.householdSizes;
  let people = 0;
  let nonHeads = 0;
  sizes.forEach((w, i) => {
    people += w * (i + 1);
    nonHeads += w * i;
  });
  return nonHeads > 0 ? Math.min(1, (p.population.childShare * people) / nonHeads) : 0;
}

export function synthesize(ctx: ShardContext<RegimeParams>): void {
  const p = ctx.params;
  const layout = regimeLayout(p);
  const { flags, group, hardship, riskAversion, legitimacy } = ctx.columns;
  const { cellInformants, cellCentre } = ctx.columns;
  const starts = layout.unitStarts;
  const mt = layout.metricTable;
  const popBase = mt.base('population');
  const obsBase = mt.base('observers');
  const adultBase = mt.base('adults');
  const rng = ctx.rng('synthesize');
  const cellRng = ctx.rng('synthesize-cell');
  const groupShares = p.population.groups.map((g) => g.share);
  const pChild = childProbability(p);
  const adultShare = 1 - p.population.childShare;
  const legit0 = p.behaviour.initialLegitimacy;
  const spread = p.behaviour.legitimacySpread;
  // The last three draws of a resident serve informant and grid recruitment. Draws are
  // positional, so leaving out trailing ones nobody reads changes nothing else.
  const informantDraw = p.informants.enabled || p.grid.enabled;
  const gridDraws = p.grid.enabled;
  // Residents and adults by group, added to the metrics once per cell.
  const residentsOf = new Float64Array(groupShares.length);
  const adultsOf = new Float64Array(groupShares.length);

  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    const r = layout.cellRegion[c];
    const region = p.population.regions[r];
    const pInformant = adultShare > 0 ? Math.min(1, region.informantsPerThousand / 1000 / adultShare) : 0;
    let informants = 0;
    residentsOf.fill(0);
    adultsOf.fill(0);
    cellCentre[c] = cellRng.key(c, 0).uniform() < region.serviceCentreCoverage ? 1 : 0;
    const end = starts[c + 1];
    let i = starts[c];
    while (i < end) {
      // Household: size from the distribution, truncated at the cell's end.
      rng.key(i, 0);
      const size = Math.min(end - i, pick(p.population.householdSizes, rng.uniform()) + 1);
      const g = pick(groupShares, rng.uniform());
      const grp = p.population.groups[g];
      for (let o = 0; o < size; o++, i++) {
        rng.key(i, 1);
        group[i] = g;
        let f = o === 0 ? F.HEAD : 0;
        if (o > 0 && rng.uniform() < pChild) f |= F.CHILD;
        else rng.uniform();
        hardship[i] = round(clamp01(rng.uniform() + region.hardshipShift + grp.hardshipShift) * U8);
        riskAversion[i] = round(rng.uniform() * U8);
        legitimacy[i] = round(clamp01(legit0 + spread * (2 * rng.uniform() - 1)) * U16);
        const uInformant = informantDraw ? rng.uniform() : 1;
        const uGig = gridDraws ? rng.uniform() : 1;
        const uRecruit = gridDraws ? rng.uniform() : 1;
        if (!(f & F.CHILD)) {
          if (p.informants.enabled && uInformant < pInformant) {
            f |= F.INFORMANT;
            informants++;
          }
          if (uGig < grp.gigWorkerShare) {
            if (p.grid.enabled && uRecruit < p.grid.gigRecruitmentRate) {
              f |= F.OBSERVER;
              mt.add(ctx.acc, obsBase, g, r, 1);
            }
          }
        }
        flags[i] = f;
        residentsOf[g]++;
        if (!(f & F.CHILD)) adultsOf[g]++;
      }
    }
    for (let g = 0; g < groupShares.length; g++) {
      if (residentsOf[g] > 0) mt.add(ctx.acc, popBase, g, r, residentsOf[g]);
      if (adultsOf[g] > 0) mt.add(ctx.acc, adultBase, g, r, adultsOf[g]);
    }
    cellInformants[c] = Math.min(65535, informants);
    if (ctx.columns.cellInformantsNext) ctx.columns.cellInformantsNext[c] = cellInformants[c];
  }
}

/** After synthesis: group, region and adult counts and observer coverage, for every later tick. */
export function census(ctx: GlobalContext<RegimeParams>): void {
  const layout = regimeLayout(ctx.params);
  const mt = layout.metricTable;
  const gl = layout.globalsLayout;
  const popBase = mt.base('population');
  const obsBase = mt.base('observers');
  const adultBase = mt.base('adults');
  const G = layout.groups;
  const sum = (index: number): number => {
    let s = 0;
    for (const acc of ctx.shardAccs) s += acc[index];
    return s;
  };
  for (let g = 0; g < G; g++) {
    ctx.globals[gl.groupPopulation + g] = sum(popBase + 1 + g);
    ctx.globals[gl.adultGroupPopulation + g] = sum(adultBase + 1 + g);
  }
  ctx.globals[gl.adultPopulation] = sum(adultBase);
  const cellsPerRegion = new Float64Array(layout.regions);
  for (let c = 0; c < layout.cells; c++) cellsPerRegion[layout.cellRegion[c]]++;
  for (let r = 0; r < layout.regions; r++) {
    ctx.globals[gl.regionPopulation + r] = layout.regionAgents[r];
    ctx.globals[gl.adultRegionPopulation + r] = sum(adultBase + 1 + G + r);
    const observers = sum(obsBase + 1 + G + r);
    ctx.globals[gl.observersPerCell + r] = observersPassingCell(ctx.params, observers, cellsPerRegion[r]);
  }
}
