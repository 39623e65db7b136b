/**
 * Detection: each channel the cell has (police, cameras, tracking, grid workers, gig
 * observers, informants, service centres, platforms, records) gets an independent
 * chance to see each act done today; what it sees becomes an event on the author's
 * record. Cameras also falsely match innocent residents, informants file false and
 * malicious reports on neighbours, and abusive informants extort them.
 */
import type { ShardContext } from '../../engine/model.js';
import type { CounterRng } from '../../engine/rng.js';
import { extortion } from './abuse.js';
import { falseMatchProbability } from './cameras.js';
import { CellChannels } from './channels.js';
import { falseReportProbability, fileFalseReport } from './informants.js';
import { A, E, F, regimeLayout } from './layout.js';
import type { MetricTable } from './metrics.js';
import type { RegimeParams } from './params.js';
import { epsteinArrestProbability } from './police.js';

/** Bit of the informant channel in the masks `observe` returns. */
const PROTEST_INFORMANT = 1 << 5;
const INFRACTION_INFORMANT = 1 << 3;

/**
 * Give each channel its chance to see one act (one draw each, in table order) and count
 * every channel that does. Returns a mask of the channels that saw it (0: unseen).
 */
function observe(
  rng: CounterRng,
  probabilities: Float64Array,
  metrics: readonly number[],
  acc: Float64Array,
  mt: MetricTable,
  g: number,
  r: number,
): number {
  let seenBy = 0;
  for (let k = 0; k < probabilities.length; k++) {
    if (rng.uniform() < probabilities[k]) {
      seenBy |= 1 << k;
      mt.add(acc, metrics[k], g, r, 1);
    }
  }
  return seenBy;
}

export function detect(ctx: ShardContext<RegimeParams>): void {
  const p = ctx.params;
  const layout = regimeLayout(p);
  const mt = layout.metricTable;
  const gl = layout.globalsLayout;
  const { flags, group, acts, events } = ctx.columns;
  const { cellActives, cellSanctionsSeen, cellInformants, cellCentre, cellReports } = ctx.columns;
  const starts = layout.unitStarts;
  const rng = ctx.rng('detect');
  const informantRng = ctx.rng('informant');
  const ch = new CellChannels();
  const recordsOn = p.records.enabled;
  const M = {
    police: mt.base('detected_police'),
    camera: mt.base('detected_camera'),
    tracking: mt.base('detected_tracking'),
    grid: mt.base('detected_grid'),
    observer: mt.base('detected_observer'),
    informant: mt.base('detected_informant'),
    centre: mt.base('detected_centre'),
    platform: mt.base('detected_platform'),
    records: mt.base('detected_records'),
    falseCamera: mt.base('false_camera'),
    falseInformant: mt.base('false_informant'),
    reportsTrue: mt.base('reports_true'),
    reportsFalse: mt.base('reports_false'),
    reportsMalicious: mt.base('reports_malicious'),
  };

  // Channels in the fixed order in which they get their draw; protests are gatherings, so
  // police and tracking see them, infractions only the other channels.
  const protestChannels = new Float64Array(7);
  const protestMetrics = [M.police, M.camera, M.tracking, M.grid, M.observer, M.informant, M.centre];
  const infractionChannels = new Float64Array(5);
  const infractionMetrics = [M.camera, M.grid, M.observer, M.informant, M.centre];

  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    const r = layout.cellRegion[c];
    const region = p.population.regions[r];
    const start = starts[c];
    const residents = starts[c + 1] - start;
    ch.update(
      p,
      region,
      residents,
      cellInformants[c],
      cellCentre[c] === 1,
      ctx.globals[gl.observersPerCell + r],
      cellSanctionsSeen[c],
    );
    const activesYesterday = cellActives[c];
    const pPolice = p.police.enabled
      ? epsteinArrestProbability(p.behaviour.arrestConstant, ch.police * p.police.visibility, activesYesterday)
      : 0;
    // A false match pins one of the day's public acts on the wrong face: a protest in
    // proportion to the protests the cell has seen, otherwise an infraction.
    const expectedInfractions = residents * p.behaviour.infractionRate;
    const falseProtestShare = activesYesterday > 0 ? activesYesterday / (activesYesterday + expectedInfractions) : 0;
    protestChannels.set([pPolice, ch.camera, ch.tracking, ch.grid, ch.observer, ch.informant, ch.centre]);
    infractionChannels.set([ch.camera, ch.grid, ch.observer, ch.informant, ch.centre]);
    let reports = 0;
    let detectedProtesters = 0;

    for (let i = start; i < starts[c + 1]; i++) {
      const a = acts[i];
      const f = flags[i];
      const g = group[i];
      rng.keyLazily(i, ctx.tick);
      let e = events[i];
      if (a & A.PROTEST) {
        const seenBy = observe(rng, protestChannels, protestMetrics, ctx.acc, mt, g, r);
        if (seenBy & PROTEST_INFORMANT) {
          reports++;
          mt.add(ctx.acc, M.reportsTrue, g, r, 1);
        }
        if (seenBy) {
          e |= E.PROTEST;
          detectedProtesters++;
        }
      }
      if (a & A.INFRACTION) {
        const seenBy = observe(rng, infractionChannels, infractionMetrics, ctx.acc, mt, g, r);
        if (seenBy & INFRACTION_INFORMANT) {
          reports++;
          mt.add(ctx.acc, M.reportsTrue, g, r, 1);
        }
        if (seenBy) e |= E.INFRACTION;
      }
      if (a & A.POST && rng.uniform() < ch.platform) {
        e |= E.POST;
        mt.add(ctx.acc, M.platform, g, r, 1);
      }
      if (a & A.DEFAULT && recordsOn && rng.uniform() < p.records.recordingRate) {
        e |= E.DEFAULT;
        mt.add(ctx.acc, M.records, g, r, 1);
      }
      if (a & A.CIVIC) e |= E.CIVIC;
      // Face recognition: an innocent adult in covered space matched to someone else's act.
      if (!(a & (A.PROTEST | A.INFRACTION)) && !(f & (F.CHILD | F.DETAINED))) {
        const pFalse = falseMatchProbability(p, region, p.population.groups[g]);
        if (pFalse > 0 && rng.uniform() < pFalse) {
          if (rng.uniform() < falseProtestShare) {
            e |= E.PROTEST | E.FALSE_PROTEST;
            detectedProtesters++;
          } else e |= E.INFRACTION | E.FALSE_INFRACTION;
          mt.add(ctx.acc, M.falseCamera, g, r, 1);
        }
      }
      events[i] = e;
    }

    // Informants' false reports and extortion land on random neighbours in the cell.
    const pFalseReport = falseReportProbability(p);
    if (cellInformants[c] > 0 && (pFalseReport > 0 || p.abuse.enabled)) {
      for (let i = start; i < starts[c + 1]; i++) {
        const f = flags[i];
        if (!(f & F.INFORMANT) || f & F.DETAINED) continue;
        informantRng.key(i, ctx.tick);
        if (informantRng.uniform() < pFalseReport) {
          const target = start + informantRng.below(residents);
          if (target !== i && !(flags[target] & (F.CHILD | F.DETAINED))) {
            const malicious = informantRng.uniform() < p.informants.maliciousShare;
            const attributed = fileFalseReport(events, target, malicious);
            const tg = group[target];
            mt.add(ctx.acc, malicious ? M.reportsMalicious : M.reportsFalse, tg, r, 1);
            if (attributed) mt.add(ctx.acc, M.falseInformant, tg, r, 1);
            events[i] |= E.REPORTED_SOMEONE;
          }
        }
        if (p.abuse.enabled && extortion(ctx, i, start, residents, r, informantRng) === 'reported') {
          events[i] |= E.REPORTED_SOMEONE;
        }
      }
    }
    // True reports earn points for the cell's free informants (enforcement.ts shares them out).
    cellReports[c] = reports;
    ctx.acc[mt.detectedBase + r] += detectedProtesters;
  }
}
