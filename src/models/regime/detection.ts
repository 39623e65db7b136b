/**
 * Detection: each channel the cell has (police, cameras, tracking, grid workers, gig
 * observers, informants, service centres, platforms, records) gets an independent
 * chance to see each act done today; what it sees becomes an event on the author's
 * record. Cameras also falsely match innocent residents, informants file false and
 * malicious reports on neighbours, and abusive informants extort them.
 *
 * `CellDetector` holds the rules for one cell at a time; `detect` (the reference system)
 * visits every resident, the fast day (fast/act.ts) only those who did something.
 */
import type { ShardContext } from '../../engine/model.js';
import type { CounterRng } from '../../engine/rng.js';
import type { Skipper } from '../../engine/sampling.js';
import { extortion } from './abuse.js';
import { falseMatchProbability } from './cameras.js';
import { CellChannels, type ChannelSet } from './channels.js';
import type { DetectionTally } from './mechanism.js';
import { mechanisms } from './mechanisms.js';
import { falseReportProbability, fileFalseReport } from './informants.js';
import { A, E, F, GROUP_MASK } from './bits.js';
import { regimeLayout, type RegimeLayout } from './layout.js';
import type { MetricTable } from './metrics.js';
import type { RegimeParams, RegionParams } from './params.js';

/**
 * Give each channel its chance to see one act (one draw each, in table order, for the
 * channels deployed in the cell: one that cannot see needs no draw) and count every channel
 * that does. Returns a mask of the channels that saw it (0: unseen).
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
    const q = probabilities[k];
    if (q > 0 && rng.uniform() < q) {
      seenBy |= 1 << k;
      mt.add(acc, metrics[k], g, r, 1);
    }
  }
  return seenBy;
}

export class CellDetector {
  readonly ch: CellChannels;
  private readonly p: RegimeParams;
  private readonly layout: RegimeLayout;
  private readonly mt: MetricTable;
  private readonly M;
  // Per kind of act: the channels' probabilities in the current cell, and their metrics.
  private readonly protestChannels: Float64Array;
  private readonly protestMetrics: number[];
  private readonly protestReports: number;
  private readonly infractionChannels: Float64Array;
  private readonly infractionMetrics: number[];
  private readonly infractionReports: number;
  private readonly postChannels: Float64Array;
  private readonly callChannels: Float64Array;
  private readonly postMetrics: number[];
  private readonly callMetrics: number[];
  /** Calls that reached their readers today, per cell (platform.ts), and what a deleted one reached. */
  private readonly cellCalls: Float32Array | undefined;
  private readonly deletedReach: number;
  c = 0;
  private readonly debtChannels: Float64Array;
  private readonly debtMetrics: number[];
  /** Per group: today's false-match probability in the current cell's region. */
  readonly falseMatch: Float64Array;
  private readonly rng: CounterRng;
  private readonly informantRng: CounterRng;
  // Columns read per act, as fields: `ctx.columns` is a dictionary, slow to read per resident.
  private readonly actsCol: Uint8Array;
  private readonly eventsCol: Uint16Array;
  private readonly groupCol: Uint8Array;
  private readonly flagsCol: Uint16Array;
  region!: RegionParams;
  r = 0;
  start = 0;
  residents = 0;
  /** Share of false matches pinned on a protest rather than an infraction. */
  falseProtestShare = 0;
  reports = 0;
  detectedProtesters = 0;
  /** Today's acts in the cell by kind, and those seen (what residents can learn from). */
  readonly tally: DetectionTally = {
    protests: 0,
    protestsDetected: 0,
    offline: 0,
    offlineDetected: 0,
    posts: 0,
    postsDetected: 0,
    calls: 0,
    callsDetected: 0,
  };
  private readonly observers: ((c: number, seen: DetectionTally) => void)[];

  constructor(private readonly ctx: ShardContext<RegimeParams>) {
    const p = (this.p = ctx.params);
    this.layout = regimeLayout(p);
    const mt = (this.mt = this.layout.metricTable);
    this.M = {
      deleted: mt.base('posts_deleted'),
      expressed: mt.base('posts_expressed'),
      callsDeleted: mt.base('calls_deleted'),
      falseCamera: mt.base('false_camera'),
      falseInformant: mt.base('false_informant'),
      reportsTrue: mt.base('reports_true'),
      reportsFalse: mt.base('reports_false'),
      reportsMalicious: mt.base('reports_malicious'),
    };
    // Channels in registry order, the order in which they get their draw.
    const ch = (this.ch = new CellChannels(ctx));
    const metricsOf = (set: ChannelSet): number[] => set.names.map((n) => mt.base(`detected_${n}`));
    this.protestChannels = ch.protests.q;
    this.protestMetrics = metricsOf(ch.protests);
    this.protestReports = ch.protests.reportMask;
    this.infractionChannels = ch.offlines.q;
    this.infractionMetrics = metricsOf(ch.offlines);
    this.infractionReports = ch.offlines.reportMask;
    this.postChannels = ch.posts.q;
    this.callChannels = ch.calls.q;
    this.cellCalls = ctx.columns.cellCalls as Float32Array | undefined;
    this.deletedReach = p.platform.deletedReach;
    this.postMetrics = metricsOf(ch.posts);
    this.callMetrics = metricsOf(ch.calls);
    this.debtChannels = ch.debts.q;
    this.debtMetrics = metricsOf(ch.debts);
    this.falseMatch = new Float64Array(p.population.groups.length);
    this.seenCounts = new Float64Array(this.protestChannels.length * (GROUP_MASK + 1));
    this.observers = mechanisms().flatMap((m) => m.observe?.(ctx) ?? []);
    this.rng = ctx.rng('detect');
    this.informantRng = ctx.rng('informant');
    this.actsCol = ctx.columns.acts as Uint8Array;
    this.eventsCol = ctx.columns.events as Uint16Array;
    this.groupCol = ctx.columns.group as Uint8Array;
    this.flagsCol = ctx.columns.flags as Uint16Array;
  }

  /** Set up the channels of cell c (yesterday's protesters, sanctions seen so far). */
  begin(c: number): void {
    const { p, ctx, layout } = this;
    const { cellActives, cellSanctionsSeen, cellInformants, cellCentre } = ctx.columns;
    const gl = layout.globalsLayout;
    this.c = c;
    this.r = layout.cellRegion[c];
    const region = (this.region = p.population.regions[this.r]);
    this.start = layout.unitStarts[c];
    const residents = (this.residents = layout.unitStarts[c + 1] - this.start);
    const activesYesterday = cellActives[c];
    this.ch.update(
      region,
      residents,
      cellInformants[c],
      cellCentre[c] === 1,
      ctx.globals[gl.observersPerCell + this.r],
      cellSanctionsSeen[c],
      activesYesterday,
      c,
    );
    // A false match pins one of the day's public acts on the wrong face: a protest in
    // proportion to the protests the cell has seen, otherwise an infraction.
    const expectedInfractions = residents * p.behaviour.infractionRate;
    this.falseProtestShare = activesYesterday > 0 ? activesYesterday / (activesYesterday + expectedInfractions) : 0;
    const groups = p.population.groups;
    for (let k = 0; k < groups.length; k++) this.falseMatch[k] = falseMatchProbability(p, region, groups[k]);
    this.reports = 0;
    this.detectedProtesters = 0;
    const seen = this.tally;
    seen.protests = seen.protestsDetected = seen.offline = seen.offlineDetected = 0;
    seen.posts = seen.postsDetected = seen.calls = seen.callsDetected = 0;
    if (this.cellCalls) this.cellCalls[c] = 0;
  }

  /**
   * The channels' chances at resident i's acts of today. Draws on i's own detection
   * stream, so visiting residents in any order or skipping the idle changes nothing.
   * Returns the resident's events so far (the caller may add false matches on the same
   * stream, as the reference does).
   */
  acts(i: number): number {
    const { ctx, mt, M, rng, actsCol: acts, eventsCol: events, groupCol: group } = this;
    const a = acts[i];
    const g = group[i] & GROUP_MASK;
    const r = this.r;
    rng.keyLazily(i, ctx.tick);
    let e = events[i];
    const seen = this.tally;
    if (a & A.PROTEST) {
      const seenBy = observe(rng, this.protestChannels, this.protestMetrics, ctx.acc, mt, g, r);
      seen.protests++;
      if (seenBy) seen.protestsDetected++;
      if (seenBy & this.protestReports) {
        this.reports++;
        mt.add(ctx.acc, M.reportsTrue, g, r, 1);
      }
      if (seenBy) {
        e |= E.PROTEST;
        this.detectedProtesters++;
      }
    }
    if (a & A.INFRACTION) {
      const seenBy = observe(rng, this.infractionChannels, this.infractionMetrics, ctx.acc, mt, g, r);
      seen.offline++;
      if (seenBy) seen.offlineDetected++;
      if (seenBy & this.infractionReports) {
        this.reports++;
        mt.add(ctx.acc, M.reportsTrue, g, r, 1);
      }
      if (seenBy) e |= E.INFRACTION;
    }
    if (a & A.POST) {
      // A call to collective action or criticism: each kind has its own channels (platform.ts).
      const call = (e & E.CALL) !== 0;
      if (call) seen.calls++;
      else seen.posts++;
      const seenBy = call
        ? observe(rng, this.callChannels, this.callMetrics, ctx.acc, mt, g, r)
        : observe(rng, this.postChannels, this.postMetrics, ctx.acc, mt, g, r);
      if (seenBy) {
        // Detected and deleted: on the record (a strike), and no longer expressed.
        e |= E.POST;
        mt.add(ctx.acc, M.deleted, g, r, 1);
        mt.add(ctx.acc, M.expressed, g, r, -1);
        if (call) {
          seen.callsDetected++;
          mt.add(ctx.acc, M.callsDeleted, g, r, 1);
          this.cellCalls![this.c] += this.deletedReach;
        } else seen.postsDetected++;
      } else if (call) this.cellCalls![this.c] += 1;
    }
    if (a & A.DEFAULT && observe(rng, this.debtChannels, this.debtMetrics, ctx.acc, mt, g, r)) e |= E.DEFAULT;
    if (a & A.CIVIC) e |= E.CIVIC;
    events[i] = e;
    return e;
  }

  /** Channels that saw each protester of `protestsOnly` (a mask per list position). */
  private seen = new Uint8Array(0);
  /** Per protest channel and group: detections in `protestsOnly`; per group: true reports. */
  private readonly seenCounts: Float64Array;
  private readonly reportCounts = new Float64Array(GROUP_MASK + 1);

  /**
   * The channels' chances at the protests of residents list[0, m), who did nothing else
   * today. As in `acts`, each channel deployed sees each protest independently with its
   * probability; here the channel's hits (or, when it sees most, its misses) are found by
   * skipping along the list (engine/sampling.ts) on the cell's stream, so the work grows
   * with the exceptions rather than one draw per protester and channel.
   */
  protestsOnly(list: Int32Array, m: number, rng: CounterRng, skip: Skipper): void {
    const { ctx, mt, M, eventsCol: events, groupCol: group, seenCounts, reportCounts } = this;
    const G = this.layout.groups;
    if (this.seen.length < m) this.seen = new Uint8Array(Math.max(m, 2 * this.seen.length));
    const seen = this.seen;
    seen.fill(0, 0, m);
    const pc = this.protestChannels;
    for (let k = 0; k < pc.length; k++) {
      const q = pc[k];
      if (!(q > 0)) continue;
      const bit = 1 << k;
      if (q <= 0.5) {
        skip.rate(q);
        for (let t = skip.gap(rng); t < m; t += 1 + skip.gap(rng)) seen[t] |= bit;
      } else {
        skip.rate(1 - q);
        let miss = skip.gap(rng);
        for (let t = 0; t < m; t++) {
          if (t === miss) miss += 1 + skip.gap(rng);
          else seen[t] |= bit;
        }
      }
    }
    seenCounts.fill(0, 0, pc.length * G);
    reportCounts.fill(0, 0, G);
    let detected = 0;
    for (let t = 0; t < m; t++) {
      const mask = seen[t];
      if (mask === 0) continue;
      const i = list[t];
      const g = group[i] & GROUP_MASK;
      for (let bits = mask; bits !== 0; bits &= bits - 1) seenCounts[(31 - Math.clz32(bits & -bits)) * G + g]++;
      if (mask & this.protestReports) reportCounts[g]++;
      events[i] |= E.PROTEST;
      detected++;
    }
    this.detectedProtesters += detected;
    this.tally.protests += m;
    this.tally.protestsDetected += detected;
    for (let g = 0; g < G; g++) {
      for (let k = 0; k < pc.length; k++) {
        const count = seenCounts[k * G + g];
        if (count > 0) mt.add(ctx.acc, this.protestMetrics[k], g, this.r, count);
      }
      if (reportCounts[g] > 0) {
        this.reports += reportCounts[g];
        mt.add(ctx.acc, M.reportsTrue, g, this.r, reportCounts[g]);
      }
    }
  }

  /** Whether resident i can be falsely matched today: an adult, free, with no public act. */
  innocent(i: number): boolean {
    return !(this.actsCol[i] & (A.PROTEST | A.INFRACTION)) && !(this.flagsCol[i] & (F.CHILD | F.DETAINED));
  }

  /** Pin a false match on innocent resident i; u decides whether a protest or an infraction. */
  falselyMatch(i: number, u: number): void {
    const { ctx, mt } = this;
    const { events, group } = ctx.columns;
    if (u < this.falseProtestShare) {
      events[i] |= E.PROTEST | E.FALSE_PROTEST;
      this.detectedProtesters++;
    } else events[i] |= E.INFRACTION | E.FALSE_INFRACTION;
    mt.add(ctx.acc, this.M.falseCamera, group[i] & GROUP_MASK, this.r, 1);
  }

  /** The reference rule for one resident: face recognition gets a draw per innocent adult. */
  falseMatchDraw(i: number): void {
    if (!this.innocent(i)) return;
    const pFalse = this.falseMatch[this.ctx.columns.group[i] & GROUP_MASK];
    if (pFalse > 0 && this.rng.uniform() < pFalse) this.falselyMatch(i, this.rng.uniform());
  }

  /** Extortion payments in the current cell today (each raised a resident's hardship). */
  extortionsPaid = 0;
  /** Residents of the current cell reported by informants today (false or malicious reports). */
  readonly reported: number[] = [];

  /** Informants' false reports and extortion land on random neighbours in the cell. */
  informants(c: number): void {
    const { ctx, p, mt, M, informantRng } = this;
    this.extortionsPaid = 0;
    this.reported.length = 0;
    const { flags, group, events, cellInformants } = ctx.columns;
    const pFalseReport = falseReportProbability(p);
    if (cellInformants[c] === 0 || (pFalseReport <= 0 && !p.abuse.enabled)) return;
    const { start, residents, r } = this;
    for (let i = start; i < start + residents; i++) {
      const f = flags[i];
      if (!(f & F.INFORMANT) || f & F.DETAINED) continue;
      informantRng.key(i, ctx.tick);
      if (informantRng.uniform() < pFalseReport) {
        const target = start + informantRng.below(residents);
        if (target !== i && !(flags[target] & (F.CHILD | F.DETAINED))) {
          const malicious = informantRng.uniform() < p.informants.maliciousShare;
          const attributed = fileFalseReport(events, target);
          this.reported.push(target);
          const tg = group[target] & GROUP_MASK;
          mt.add(ctx.acc, malicious ? M.reportsMalicious : M.reportsFalse, tg, r, 1);
          if (attributed) mt.add(ctx.acc, M.falseInformant, tg, r, 1);
          events[i] |= E.REPORTED_SOMEONE;
        }
      }
      if (p.abuse.enabled) {
        const outcome = extortion(ctx, i, start, residents, r, informantRng, this.reported);
        if (outcome === 'reported') events[i] |= E.REPORTED_SOMEONE;
        else if (outcome === 'paid') this.extortionsPaid++;
      }
    }
  }

  /** True reports earn points for the cell's free informants (enforcement shares them out). */
  end(c: number): void {
    this.ctx.columns.cellReports[c] = this.reports;
    this.ctx.acc[this.mt.detectedBase + this.r] += this.detectedProtesters;
    for (let k = 0; k < this.observers.length; k++) this.observers[k](c, this.tally);
  }
}
