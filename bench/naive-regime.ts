/**
 * A deliberately naive baseline of the regime model, for the "national scale" benchmark
 * (bench/scale.ts): one JavaScript object per resident (class Resident with plain fields:
 * booleans for states, doubles for traits), arrays of objects for cells and households,
 * and per-agent method calls for every daily rule. This is how an agent-based model is
 * usually first written; the typed-array model (src/models/regime/) is measured against it.
 *
 * Scope: the mechanisms the national-blacklist preset switches on — behaviour (Epstein's
 * protest rule with police, infractions, criticism, debt default / repayment, civic acts),
 * detection by police (protests) and integrated records (defaults), reactive arrest within
 * the region's capacity, records → court judgment → defaulter blacklisting (2-year term,
 * removal on repayment), appeals (due process), joint-punishment blocks, family spillover
 * (children barred from schools, household legitimacy loss) and the legitimacy response.
 * Mechanisms the preset leaves off (cameras, tracking, grid, informants, platform, score,
 * predictive policing, propaganda, abuse) are not implemented: with them off the typed
 * model's channels have probability 0 and change nothing.
 *
 * Same rules and rates as the typed model, same CounterRng streams keyed by (agent, tick),
 * so the synthesized population is the same; it is not meant to be draw-for-draw identical
 * (traits are doubles here, not u8/u16 fixed point, and it makes no draws for channels that
 * are off), so the key metrics agree in range, not to the digit.
 *
 *   npx tsx bench/naive-regime.ts [--population N] [--steps N] [--preset NAME]
 *
 * prints the naive model's key metrics beside the typed-array model's at the same size.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CounterRng, streamId } from '../src/engine/rng.js';
import { LocalExecutor, runSimulation, type Executor } from '../src/engine/simulation.js';
import { apportion } from '../src/models/regime/layout.js';
import type { RegimeParams, RegionParams } from '../src/models/regime/params.js';
import { childProbability, pick } from '../src/models/regime/population.js';
import { SANCTION_TYPES, attemptRate } from '../src/models/regime/sanctions.js';
import { models } from '../src/models/registry.js';
import { NodePoolExecutor, createNodeExecutor, timesBetween, type PoolTimes } from '../src/runtime/node-pool.js';
import { loadPreset } from '../src/scenario/load.js';

/** Metric names shared with the typed model (whole-population key ''). */
export const NAIVE_METRICS = [
  'active',
  'detained',
  'blacklisted',
  'family_affected',
  'children_barred',
  'in_default',
  'legitimacy_mean',
  'would_act',
  'infractions',
  'posts_expressed',
  'defaults',
  'repayments',
  'civic',
  'detected_police',
  'detected_records',
  'detentions_reactive',
  'blacklist_entries',
  'blacklist_exits',
  'appeals_filed',
  'appeals_granted',
  'blocked_flight',
  'blocked_train',
  'blocked_hotel',
  'blocked_property',
  'blocked_job',
  'blocked_schooling',
] as const;
export type MetricName = (typeof NAIVE_METRICS)[number];
export type Metrics = Record<MetricName, number>;

const SANCTIONS = SANCTION_TYPES;

function zeroMetrics(): Metrics {
  const m = {} as Metrics;
  for (const k of NAIVE_METRICS) m[k] = 0;
  return m;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** The day's shared random sources (one CounterRng per stream, as the engine gives a shard). */
interface Streams {
  behave: CounterRng;
  detect: CounterRng;
  enforce: CounterRng;
  schooling: CounterRng;
}

export class Resident {
  // identity
  readonly id: number;
  readonly group: number;
  readonly child: boolean;
  household!: Household;
  cell!: Cell;
  // traits
  hardship: number;
  readonly riskAversion: number;
  legitimacy: number;
  // states
  active = false;
  detained = false;
  detainDays = 0;
  inDefault = false;
  recordedDefault = false;
  judgmentTimer = 0;
  blacklisted = false;
  listedByJudgment = false;
  wrongfulListing = false;
  listDays = 0;
  appealPending = false;
  appealDays = 0;
  records = 0;
  // today's acts
  protested = false;
  wouldProtest = false;
  infraction = false;
  posted = false;
  defaulted = false;
  repaid = false;
  civic = false;
  // today's record
  recordedProtest = false;
  recordedDefaultToday = false;
  recordedCivic = false;
  sanctioned = false;
  wronged = false;
  visible = false;
  detainedToday = false;
  listedToday = false;

  constructor(id: number, group: number, child: boolean, hardship: number, riskAversion: number, legitimacy: number) {
    this.id = id;
    this.group = group;
    this.child = child;
    this.hardship = hardship;
    this.riskAversion = riskAversion;
    this.legitimacy = legitimacy;
  }

  grievance(): number {
    return this.hardship * (1 - this.legitimacy);
  }

  resetDay(): void {
    this.protested = false;
    this.wouldProtest = false;
    this.infraction = false;
    this.posted = false;
    this.defaulted = false;
    this.repaid = false;
    this.civic = false;
    this.recordedProtest = false;
    this.recordedDefaultToday = false;
    this.recordedCivic = false;
    this.sanctioned = false;
    this.wronged = false;
    this.visible = false;
    this.detainedToday = false;
    this.listedToday = false;
  }

  /** Perceived arrest risk: Epstein's P = 1 − exp(−k·C/A) from the cell's perceived enforcers. */
  perceivedArrestRisk(model: NaiveRegime): number {
    const p = model.p;
    if (!p.police.enabled) return 0;
    const actives = this.cell.activesYesterday + (this.active ? 0 : 1);
    const pPolice =
      1 - Math.exp((-p.behaviour.arrestConstant * this.cell.perceivedEnforcers(model)) / Math.max(1, actives));
    // No surveillance channel is on in the preset: the protest channel adds nothing to P.
    return p.police.arrestProbability * pPolice;
  }

  /** Behaviour: protest (Epstein), infraction, criticism, debt, civic act. */
  decide(model: NaiveRegime, rng: CounterRng, tick: number, m: Metrics): void {
    this.resetDay();
    if (this.child || this.detained) return;
    const b = model.p.behaviour;
    const grievance = this.grievance();
    const P = this.perceivedArrestRisk(model);
    this.wouldProtest = grievance - this.riskAversion * P > b.threshold;
    if (this.wouldProtest) m.would_act++;
    this.protested = this.wouldProtest;
    this.active = this.wouldProtest;
    rng.key(this.id, tick);
    // Infraction; deterrence acts through perceived offline detection, which is 0 here.
    if (rng.uniform() < b.infractionRate) {
      rng.uniform();
      this.infraction = true;
      m.infractions++;
    }
    // Criticism; chilling acts through perceived platform monitoring, 0 here.
    if (rng.uniform() < b.criticismRate * grievance) {
      rng.uniform();
      this.posted = true;
      m.posts_expressed++;
    }
    const uDebt = rng.uniform();
    if (this.inDefault) {
      if (uDebt < b.repaymentRate * (1 - this.hardship)) {
        this.repaid = true;
        this.inDefault = false;
        m.repayments++;
      }
    } else if (uDebt < b.defaultRate * this.hardship) {
      this.defaulted = true;
      this.inDefault = true;
      m.defaults++;
    }
    if (rng.uniform() < b.civicRate * this.legitimacy) {
      this.civic = true;
      m.civic++;
    }
  }

  /** Detection by the enabled channels: police see protests, records see defaults. */
  detect(model: NaiveRegime, rng: CounterRng, tick: number, pPolice: number, m: Metrics): boolean {
    const p = model.p;
    rng.key(this.id, tick);
    let seenProtest = false;
    if (this.protested && rng.uniform() < pPolice) {
      m.detected_police++;
      this.recordedProtest = true;
      seenProtest = true;
    }
    if (this.defaulted && p.records.enabled && rng.uniform() < p.records.recordingRate) {
      this.recordedDefaultToday = true;
      m.detected_records++;
    }
    if (this.civic) this.recordedCivic = true;
    return seenProtest;
  }

  /** Arrest, records → judgment, blacklisting, appeals, joint punishment, release. */
  enforce(model: NaiveRegime, rng: CounterRng, tick: number, arrestShare: number, m: Metrics): void {
    const p = model.p;
    rng.key(this.id, tick);
    if (this.recordedProtest && p.police.enabled && !this.detained && rng.uniform() < arrestShare) {
      this.active = false;
      this.detained = true;
      this.detainDays = p.police.detentionDays;
      this.sanctioned = true;
      this.detainedToday = true;
      this.visible = true;
      m.detentions_reactive++;
    }
    // Records: an unpaid recorded default becomes a court judgment after the delay.
    if (this.recordedDefaultToday) {
      this.recordedDefault = true;
      this.judgmentTimer = p.records.judgmentDelay;
    }
    let judgment = false;
    if (this.recordedDefault && this.inDefault) {
      if (this.judgmentTimer > 0) this.judgmentTimer--;
      else {
        judgment = p.records.enabled;
        this.recordedDefault = false;
        this.judgmentTimer = 0;
      }
    } else {
      this.recordedDefault = false;
      this.judgmentTimer = 0;
    }
    // Lists (judgment-fed: the score is off in the preset).
    if (p.lists.enabled) {
      const judged = judgment && p.lists.blacklistOnJudgment;
      if (this.blacklisted && judged) {
        this.listedByJudgment = true;
        this.wrongfulListing = false;
        this.listDays = p.lists.durationDays;
      } else if (this.blacklisted) {
        const expired = this.listDays <= 1;
        const performed = this.listedByJudgment && this.repaid && p.lists.removeOnPerformance;
        this.listDays = expired ? 0 : this.listDays - 1;
        if (expired || performed) {
          this.delist();
          m.blacklist_exits++;
        }
      } else if (!this.child && judged) {
        this.blacklisted = true;
        this.listedByJudgment = true;
        this.listDays = p.lists.durationDays;
        this.sanctioned = true;
        this.listedToday = true;
        if (p.sanctions.publicShaming) this.visible = true;
        m.blacklist_entries++;
      }
    }
    // Due process.
    if (p.dueProcess.enabled && this.blacklisted) {
      if (this.appealPending) {
        if (this.appealDays > 1) this.appealDays--;
        else if (rng.uniform() < (this.wrongfulListing ? p.dueProcess.successWrongful : p.dueProcess.successRightful)) {
          this.delist();
          m.appeals_granted++;
          m.blacklist_exits++;
        } else this.appealPending = false;
      } else if (rng.uniform() < p.dueProcess.appealRate) {
        this.appealPending = true;
        this.appealDays = p.dueProcess.appealDelayDays;
        m.appeals_filed++;
      }
    }
    // Joint punishment.
    if (p.sanctions.enabled && this.blacklisted && !this.child && !this.detained) {
      for (const type of SANCTIONS) this.tryPurchase(model, type, rng, m);
    }
    this.records = Math.min(255, this.records + (this.recordedProtest ? 1 : 0) + (this.recordedDefaultToday ? 1 : 0));
    // Release on the last day of detention.
    if (this.detained && !this.detainedToday) {
      if (this.detainDays <= 1) {
        this.detainDays = 0;
        this.detained = false;
      } else this.detainDays--;
    }
  }

  tryPurchase(model: NaiveRegime, type: (typeof SANCTIONS)[number], rng: CounterRng, m: Metrics): void {
    if (rng.uniform() < attemptRate(model.p, type)) {
      m[`blocked_${type}`]++;
      this.loseWelfare(model);
    }
  }

  loseWelfare(model: NaiveRegime): void {
    this.hardship = Math.min(1, this.hardship + model.p.sanctions.welfareLoss);
  }

  delist(): void {
    this.blacklisted = false;
    this.wrongfulListing = false;
    this.listedByJudgment = false;
    this.appealPending = false;
    this.listDays = 0;
  }

  /**
   * Legitimacy response (response.ts): recovery toward the initial mean, then the share lost
   * to the visible sanctions the cell remembers, then the day's shocks: own wrong, a household
   * member detained, a household member listed (family spillover), an arrest made by lottery.
   * Wrongful sanctions seen and group harm: national-blacklist has none (no false attribution).
   */
  respond(model: NaiveRegime, seenPerThousand: number, householdDetained: boolean, householdListed: boolean): void {
    const p = model.p;
    const q = p.response;
    if (!q.enabled) return;
    const loss = Math.min(1, q.visibleLoss * seenPerThousand);
    let L = (this.legitimacy + q.recovery * (p.behaviour.initialLegitimacy - this.legitimacy)) * (1 - loss);
    if (this.wronged) L *= 1 - q.injusticeLoss;
    if (householdDetained) L *= 1 - q.householdLoss;
    if (this.detainedToday && !this.wronged) L *= 1 - q.arbitrarinessLoss * (1 - this.cell.arrestShare);
    if (householdListed && p.family.enabled) L *= 1 - p.family.householdLegitimacyLoss;
    this.legitimacy = clamp01(L);
  }
}

export class Household {
  readonly members: Resident[] = [];

  hasListedAdult(): boolean {
    return this.members.some((r) => r.blacklisted && !r.child);
  }

  count(which: (r: Resident) => boolean): number {
    return this.members.filter(which).length;
  }

  /** Family spillover and the legitimacy response, member by member. */
  spillover(model: NaiveRegime, rng: CounterRng, tick: number, seenPerThousand: number, m: Metrics): void {
    const p = model.p;
    const detained = this.count((r) => r.detainedToday);
    const listed = this.count((r) => r.listedToday);
    const listedAdult = p.family.enabled && p.family.childrenBarred && this.hasListedAdult();
    const schooling = p.sanctions.enabled ? p.sanctions.schoolingAttemptRate : 0;
    for (const r of this.members) {
      r.respond(model, seenPerThousand, detained > (r.detainedToday ? 1 : 0), listed > (r.listedToday ? 1 : 0));
      if (listedAdult && r.child && schooling > 0 && rng.key(r.id, tick).uniform() < schooling) {
        m.blocked_schooling++;
        r.loseWelfare(model);
      }
    }
  }
}

export class Cell {
  readonly residents: Resident[] = [];
  readonly households: Household[] = [];
  activesYesterday = 0;
  sanctionsSeen = 0;
  detectedToday = 0;
  arrestShare = 0;

  constructor(
    readonly index: number,
    readonly region: number,
    readonly regionParams: RegionParams,
  ) {}

  police(model: NaiveRegime): number {
    return model.p.police.enabled ? (this.regionParams.policePer100k * this.residents.length) / 100_000 : 0;
  }

  perceivedEnforcers(model: NaiveRegime): number {
    const p = model.p;
    const fear = p.response.enabled ? (p.response.sanctionFear * this.sanctionsSeen * 1000) / this.residents.length : 0;
    return this.police(model) * p.police.visibility + fear;
  }
}

export interface NaiveResult {
  agents: number;
  steps: number;
  /** Seconds to build the population (objects) and to run the steps. */
  buildSeconds: number;
  stepSeconds: number;
  /** Metrics of each step tick (index 0 = tick 1). */
  series: Metrics[];
}

export class NaiveRegime {
  readonly residents: Resident[] = [];
  readonly cells: Cell[] = [];
  readonly regionAgents: number[];
  readonly streams: Streams;

  constructor(
    readonly p: RegimeParams,
    readonly seed: number,
  ) {
    const rng = (name: string): CounterRng => new CounterRng(seed, streamId(name));
    this.streams = {
      behave: rng('behave'),
      detect: rng('detect'),
      enforce: rng('enforce'),
      schooling: rng('schooling'),
    };
    const pop = p.population;
    this.regionAgents = apportion(
      pop.agents,
      pop.regions.map((r) => r.populationShare),
    );
    this.synthesize(rng('synthesize'));
  }

  /** Regions → equal cells of ~cellSize → households of drawn sizes, one object per resident. */
  private synthesize(rng: CounterRng): void {
    const pop = this.p.population;
    const groupShares = pop.groups.map((g) => g.share);
    const pChild = childProbability(this.p);
    const legit0 = this.p.behaviour.initialLegitimacy;
    const spread = this.p.behaviour.legitimacySpread;
    let id = 0;
    for (let r = 0; r < pop.regions.length; r++) {
      const region = pop.regions[r];
      const n = this.regionAgents[r];
      const k = Math.max(1, Math.round(n / pop.cellSize));
      for (let j = 0; j < k; j++) {
        const cell = new Cell(this.cells.length, r, region);
        this.cells.push(cell);
        const end = id + Math.floor(n / k) + (j < n % k ? 1 : 0);
        while (id < end) {
          rng.key(id, 0);
          const size = Math.min(end - id, pick(pop.householdSizes, rng.uniform()) + 1);
          const g = pick(groupShares, rng.uniform());
          const grp = pop.groups[g];
          const household = new Household();
          for (let o = 0; o < size; o++, id++) {
            rng.key(id, 1);
            const uChild = rng.uniform();
            const child = o > 0 && uChild < pChild;
            const hardship = clamp01(rng.uniform() + region.hardshipShift + grp.hardshipShift);
            const riskAversion = rng.uniform();
            const legitimacy = clamp01(legit0 + spread * (2 * rng.uniform() - 1));
            const resident = new Resident(id, g, child, hardship, riskAversion, legitimacy);
            resident.household = household;
            resident.cell = cell;
            household.members.push(resident);
            cell.residents.push(resident);
            this.residents.push(resident);
          }
          cell.households.push(household);
        }
      }
    }
  }

  /** One day: behaviour, detection, arrest capacity, enforcement, households, tally. */
  step(tick: number): Metrics {
    const p = this.p;
    const m = zeroMetrics();
    const { behave, detect, enforce, schooling } = this.streams;
    for (const cell of this.cells) for (const r of cell.residents) r.decide(this, behave, tick, m);

    const detected = new Array<number>(p.population.regions.length).fill(0);
    for (const cell of this.cells) {
      // Police identify a share of the protesters Epstein's C/A says they see.
      const pPolice = p.police.enabled
        ? p.police.identification *
          (1 -
            Math.exp(
              (-p.behaviour.arrestConstant * cell.police(this) * p.police.visibility) /
                Math.max(1, cell.activesYesterday),
            ))
        : 0;
      cell.detectedToday = 0;
      for (const r of cell.residents) if (r.detect(this, detect, tick, pPolice, m)) cell.detectedToday++;
      detected[cell.region] += cell.detectedToday;
    }
    const ratio = detected.map((d, r) => {
      const capacity = p.police.enabled
        ? ((p.population.regions[r].policePer100k * this.regionAgents[r]) / 100_000) * p.police.arrestsPerOfficerPerDay
        : 0;
      return d > 0 ? Math.min(1, capacity / d) : 1;
    });

    for (const cell of this.cells) {
      const arrestShare = (cell.arrestShare = p.police.arrestProbability * ratio[cell.region]);
      let visible = 0;
      for (const r of cell.residents) {
        r.enforce(this, enforce, tick, arrestShare, m);
        if (r.visible) visible += r.detainedToday ? p.police.detentionsSeen : 1;
      }
      const seenPerThousand = (cell.sanctionsSeen * 1000) / cell.residents.length;
      for (const h of cell.households) h.spillover(this, schooling, tick, seenPerThousand, m);
      cell.sanctionsSeen = p.response.sanctionMemory * cell.sanctionsSeen + visible;
    }
    this.tally(m);
    return m;
  }

  /** End-of-day stocks; each cell's protesters are what tomorrow's decisions read. */
  tally(m: Metrics): void {
    let legitimacy = 0;
    for (const cell of this.cells) {
      let actives = 0;
      for (const h of cell.households) {
        const listed = h.hasListedAdult();
        for (const r of h.members) {
          if (!r.child && r.active) actives++;
          if (r.protested) m.active++;
          if (r.detained) m.detained++;
          if (r.inDefault) m.in_default++;
          if (r.blacklisted) m.blacklisted++;
          else if (listed && this.p.family.enabled) {
            m.family_affected++;
            if (r.child && this.p.family.childrenBarred && this.p.sanctions.enabled) m.children_barred++;
          }
          legitimacy += r.legitimacy;
        }
      }
      cell.activesYesterday = actives;
    }
    m.legitimacy_mean = legitimacy / this.residents.length;
  }
}

/** Build the naive population and run it for `steps` days. */
export function runNaive(p: RegimeParams, seed: number, steps: number): NaiveResult {
  const t0 = performance.now();
  const model = new NaiveRegime(p, seed);
  const t1 = performance.now();
  const series: Metrics[] = [];
  for (let t = 1; t <= steps; t++) series.push(model.step(t));
  const t2 = performance.now();
  return {
    agents: model.residents.length,
    steps,
    buildSeconds: (t1 - t0) / 1000,
    stepSeconds: (t2 - t1) / 1000,
    series,
  };
}

export interface TypedResult {
  agents: number;
  steps: number;
  threads: number;
  /** Seconds of the init phase (synthesis + first tally) and of the steps. */
  initSeconds: number;
  stepSeconds: number;
  stateBytes: number;
  series: Metrics[];
  /** With worker threads: where the steps' parallel time went (node-pool.ts, PoolTimes). */
  pool?: PoolTimes;
}

/** Run the typed regime model: `regime` (the fast day) or `regime-reference`. */
export async function runTyped(
  p: RegimeParams,
  seed: number,
  steps: number,
  threads: number,
  model: 'regime' | 'regime-reference' = 'regime',
): Promise<TypedResult> {
  const entry = models[model];
  const layout = entry.definition.layout(p);
  const index = new Map<string, number>();
  layout.metrics.forEach((s, k) => {
    if (s.key === '') index.set(s.name, k);
  });
  const executor: Executor = threads === 1 ? new LocalExecutor() : await createNodeExecutor(threads);
  const pool = executor instanceof NodePoolExecutor ? executor : null;
  let poolAtInit: PoolTimes | undefined;
  const series: Metrics[] = [];
  const t0 = performance.now();
  let t1 = t0;
  const result = await runSimulation(entry.definition, p, {
    seed,
    steps,
    executor,
    onTick: (tick, values) => {
      if (tick === 0) {
        t1 = performance.now();
        poolAtInit = pool?.times();
        return;
      }
      const m = zeroMetrics();
      for (const k of NAIVE_METRICS) m[k] = values[index.get(k)!];
      series.push(m);
    },
  });
  const t2 = performance.now();
  const poolTimes = pool && poolAtInit ? timesBetween(poolAtInit, pool.times()) : undefined;
  await executor.close();
  return {
    agents: result.layout.agents,
    steps,
    threads,
    initSeconds: (t1 - t0) / 1000,
    stepSeconds: (t2 - t1) / 1000,
    stateBytes: result.stateBytes,
    series,
    pool: poolTimes,
  };
}

/** Key metrics of a run: stocks as final value and daily mean, flows as totals. */
export interface KeyMetrics {
  active_mean: number;
  active_final: number;
  detained_final: number;
  would_act_total: number;
  detentions_reactive_total: number;
  defaults_total: number;
  blacklist_entries_total: number;
  blacklisted_final: number;
  blocked_flight_total: number;
  blocked_train_total: number;
  blocked_schooling_total: number;
  family_affected_final: number;
  legitimacy_final: number;
}

export function keyMetrics(series: readonly Metrics[]): KeyMetrics {
  const last = series[series.length - 1];
  const total = (k: MetricName): number => series.reduce((s, m) => s + m[k], 0);
  return {
    active_mean: total('active') / series.length,
    active_final: last.active,
    detained_final: last.detained,
    would_act_total: total('would_act'),
    detentions_reactive_total: total('detentions_reactive'),
    defaults_total: total('defaults'),
    blacklist_entries_total: total('blacklist_entries'),
    blacklisted_final: last.blacklisted,
    blocked_flight_total: total('blocked_flight'),
    blocked_train_total: total('blocked_train'),
    blocked_schooling_total: total('blocked_schooling'),
    family_affected_final: last.family_affected,
    legitimacy_final: last.legitimacy_mean,
  };
}

/** Lines comparing two runs' key metrics side by side. */
export function compareLines(naive: KeyMetrics, typed: KeyMetrics): string[] {
  const fmt = (x: number): string => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toFixed(x < 10 ? 4 : 1));
  const lines = [
    `    ${'metric'.padEnd(28)}${'naive objects'.padStart(16)}${'typed arrays'.padStart(16)}${'ratio'.padStart(9)}`,
  ];
  for (const k of Object.keys(naive) as (keyof KeyMetrics)[]) {
    const a = naive[k];
    const b = typed[k];
    const ratio = b !== 0 ? (a / b).toFixed(3) : a === 0 ? '—' : '∞';
    lines.push(`    ${k.padEnd(28)}${fmt(a).padStart(16)}${fmt(b).padStart(16)}${ratio.padStart(9)}`);
  }
  return lines;
}

export function presetParams(
  preset: string,
  steps: number,
  population: number,
): { params: RegimeParams; seed: number } {
  const scenario = loadPreset(preset, { registry: models, overrides: { steps, population } });
  if (scenario.model !== 'regime') throw new Error(`preset ${preset} is not a regime preset`);
  return { params: models.regime.params.parse(scenario.params) as RegimeParams, seed: scenario.seed };
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const preset = arg('preset', 'national-blacklist');
  const steps = Number(arg('steps', '365'));
  const population = Number(arg('population', '100000'));
  const { params, seed } = presetParams(preset, steps, population);
  const naive = runNaive(params, seed, steps);
  const typed = await runTyped(params, seed, steps, 1);
  const rate = (agents: number, s: number): string => `${((agents * steps) / s / 1e6).toFixed(2)} M agent-days/s`;
  console.log(
    `naive vs typed regime model: preset ${preset}, ${naive.agents.toLocaleString('en-US')} agents × ${steps} days`,
  );
  console.log(
    `  naive: build ${naive.buildSeconds.toFixed(1)} s, steps ${naive.stepSeconds.toFixed(1)} s (${rate(naive.agents, naive.stepSeconds)})`,
  );
  console.log(
    `  typed: init ${typed.initSeconds.toFixed(1)} s, steps ${typed.stepSeconds.toFixed(1)} s (${rate(typed.agents, typed.stepSeconds)})`,
  );
  for (const line of compareLines(keyMetrics(naive.series), keyMetrics(typed.series))) console.log(line);
}

const invokedDirectly = ((): boolean => {
  try {
    const self = realpathSync(fileURLToPath(import.meta.url)).replace(/\.(ts|js)$/, '');
    return realpathSync(process.argv[1] ?? '').replace(/\.(ts|js)$/, '') === self;
  } catch {
    return false;
  }
})();
if (invokedDirectly) await main();
