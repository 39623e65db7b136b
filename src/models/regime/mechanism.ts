/**
 * What a mechanism of the regime model is (DESIGN.md §4.2): one file with its parameters,
 * its metrics, its columns and its rule, plugged into the day's phases through the hooks
 * below. Both implementations of the day — the reference (reference.ts: every resident,
 * every system) and the fast day (fast/) — call these hooks; neither re-states a rule.
 *
 * Adding a mechanism means: its file (exporting its parameter block and a `Mechanism`),
 * one line in mechanisms.ts (the registry) and one in params.ts (its block), and its test.
 */
import type { z } from 'zod';
import type { ColumnSpec, GlobalContext, ShardContext } from '../../engine/model.js';
import type { CounterRng } from '../../engine/rng.js';
import type { CellChannels } from './channels.js';
import type { RegimeParams, RegionParams } from './params.js';

export interface MetricName {
  readonly name: string;
  readonly description: string;
  /** Flows count events on the day; stocks count residents in a state at its end; means average. */
  readonly kind: 'stock' | 'flow' | 'mean';
  readonly side: 'state' | 'stability' | 'harm' | 'surveillance' | 'expression';
}

export const metric = (
  name: string,
  kind: MetricName['kind'],
  side: MetricName['side'],
  description: string,
): MetricName => ({ name, kind, side, description });

/** A global step of a mechanism (Mechanism.phases). */
export interface GlobalPhase {
  readonly name: string;
  readonly at: 'detected' | 'dusk';
  run(ctx: GlobalContext<RegimeParams>): void;
}

/** A metric derived by a global phase: one value per group or per region, no overall value. */
export interface DerivedMetric {
  readonly name: string;
  readonly by: 'group' | 'region';
  readonly description: string;
}

/** What the ODD says a mechanism does to behaviour (DESIGN.md §4.1). */
export type Role =
  | { readonly changes: string }
  /** Counts without changing what anyone does; the reason it is kept. */
  | { readonly measurementOnly: string };

export interface Mechanism {
  /** Key of its parameter block in a scenario (`cameras`, `dueProcess`, …). */
  readonly key: string;
  /** One line: what it models. */
  readonly title: string;
  readonly role: Role;
  /** Whether the scenario switches it on (blocks without `enabled` are always on). */
  enabled(p: RegimeParams): boolean;
  /** Metrics it adds to the catalogue (each broken down by group and region). */
  readonly metrics?: readonly MetricName[];
  /** Metrics its global phases derive each day, one value per group or per region. */
  readonly derived?: readonly DerivedMetric[];
  /** Per-resident or per-cell columns it needs, only when on (memory is paid for what is modelled). */
  columns?(p: RegimeParams, size: { readonly agents: number; readonly cells: number }): readonly ColumnSpec[];
  /**
   * Global steps it runs each day, on the coordinating thread: after the day's detection
   * (before enforcement and tonight's decisions) or at dusk (after the tally).
   */
  readonly phases?: readonly GlobalPhase[];
  /** Per-shard sparse maps (resident → positive count) it keeps, for rare per-resident state. */
  sparse?(p: RegimeParams): readonly string[];
  /** Detection channels it deploys (detection.ts gives each its chance at each act). */
  readonly channels?: readonly Channel[];
  /** Kinds of act residents may do each day (sampled in this order), built once per shard. */
  acts?(ctx: ShardContext<RegimeParams>): readonly ActKind[];
  /** Its say in how often residents do an act (incentives, listing, …), built once per shard. */
  modifiers?(ctx: ShardContext<RegimeParams>): readonly ActModifier[];
  /** Its part of what happens to a resident once the day's events are on record (none when off). */
  enforcement?(ctx: ShardContext<RegimeParams>): readonly EnforcementStep[];
  /** What it learns from a cell's day of detection, at the end of the cell's detection (none when off). */
  observe?(ctx: ShardContext<RegimeParams>): ((c: number, seen: DetectionTally) => void) | null;
  /** Per-cell state it updates at the end of each cell's night, after its residents (none when off). */
  night?(ctx: ShardContext<RegimeParams>): ((c: number) => void) | null;
}

/** The stages of a resident's enforcement, in the order they run (steps of one slot: registry order). */
export const SLOTS = ['detain', 'record', 'score', 'list', 'appeal', 'sanction', 'censor', 'keep'] as const;
export type Slot = (typeof SLOTS)[number];

/** One resident's enforcement today: the state its steps read and write, in slot order. */
export interface ResidentDay {
  i: number;
  /** Flags, events and acts of today, written back after the last step. */
  f: number;
  e: number;
  a: number;
  g: number;
  r: number;
  /** The score (absolute); the base when no score is in play. */
  s: number;
  /** A court judgment falls today (set in the `record` slot). */
  judgment: boolean;
  /** How much of today's visible sanction the cell sees (0–1; the weight of E.VISIBLE). */
  seen: number;
  /** A uniform standing in for the arrest's draw (fast/settle.ts samples arrests), or −1. */
  arrestDraw: number;
  /** Resident i's enforcement stream, keyed to (i, tick) on its first use. */
  readonly rng: CounterRng;
}

export interface EnforcementStep {
  readonly slot: Slot;
  /**
   * Whether it can change a resident with no event today and no enforcement state (the fast
   * day visits such residents only when some step can).
   */
  readonly idle: boolean;
  /** Whether it reacts to a recorded protest (besides the arrest itself). */
  readonly onProtest: boolean;
  /** Per-cell set-up before the cell's residents. */
  begin?(c: number, r: number): void;
  run(d: ResidentDay): void;
}

/** What an act kind may read and do in a cell during the day's acts. */
export interface ActCell {
  /** The cell's channels today (perceived surveillance deters and chills). */
  readonly ch: CellChannels;
  readonly c: number;
  readonly r: number;
  /** An upper bound on any free adult's grievance in the cell today. */
  readonly grievanceBound: number;
  /** False only when nobody in the cell is in default. */
  readonly anyDefaulter: boolean;
  /** Resident i's legitimacy this morning. */
  legitimacy(i: number): number;
  /** Resident i's perceived detection of an act the cell perceives as detected with `cellWide`. */
  perceived(i: number, cellWide: number): number;
  /** Resident i does `act` (a bit of the acts column) today. */
  mark(i: number, act: number): void;
  /** Resident i's legitimacy is multiplied by `factor` now (a shock of the day's acts). */
  shock(
    i: number,
    factor: number,
  ): void; /** Resident i's state changed in a way tonight must see (the fast day visits it). */
  visit(i: number): void;
}

/**
 * A mechanism's factor on one kind of act: the kind draws candidates at its rate times the
 * cell's `bound`, and keeps resident i with probability factor(i) / bound (a draw of its own,
 * made only when some mechanism modifies the act), so that i acts at its rate times factor(i).
 */
export interface ActModifier {
  /** The act modified (a bit of the acts column: A.INFRACTION, A.CIVIC, A.REPAY, …). */
  readonly act: number;
  /** At least every resident's factor in the cell today. */
  bound(cell: ActCell): number;
  factor(i: number, cell: ActCell): number;
  /** Resident i, a candidate, does not act because of this modifier. */
  rejected?(i: number, cell: ActCell): void;
}

/**
 * A kind of act (a minor infraction, a critical post, …). Each resident does it on a day
 * with probability rate × P(candidate accepts): the reference draws `u < rate` for every
 * resident and calls `candidate`; the fast day finds the same candidates by skipping
 * (engine/sampling.ts). Either way `candidate` is the whole rule: eligibility, thinning
 * (further draws on `rng`, resident i's stream in the reference, the cell's in the fast
 * day) and the act.
 */
export interface ActKind {
  rate(cell: ActCell): number;
  candidate(i: number, cell: ActCell, rng: CounterRng): void;
}

/** A cell's day of detection: acts done (by kind) and how many of them some channel saw. */
export interface DetectionTally {
  protests: number;
  protestsDetected: number;
  offline: number;
  offlineDetected: number;
  posts: number;
  postsDetected: number;
  calls: number;
  callsDetected: number;
}

/** What a detection channel may know of a cell on a given day. */
export interface CellView {
  readonly p: RegimeParams;
  readonly region: RegionParams;
  readonly residents: number;
  /** Informants living in the cell. */
  readonly informants: number;
  readonly hasCentre: boolean;
  /** Mobile observers passing the cell (its region's average). */
  readonly observersPerCell: number;
  /** Police officers in the cell. */
  readonly police: number;
  /** The cell's patrol strength (patrols.ts; 1 without). */
  readonly patrol: number;
  /** Protesters in the cell yesterday (Epstein's A). */
  readonly actives: number;
}

/**
 * A detection channel: the probability that it sees one act of each kind in a cell today
 * (0, or absent, where it is not deployed). Every channel sees every act independently.
 */
export interface Channel {
  /** Its detections are counted in the metric `detected_<name>`. */
  readonly name: string;
  /** A protester at a gathering. */
  protest?(cell: CellView): number;
  /** A minor infraction in public (any offline act but a gathering). */
  offline?(cell: CellView): number;
  /** A critical post. */
  post?(cell: CellView): number;
  /** A call to collective action (a kind of critical post, platform.ts). */
  call?(cell: CellView): number;
  /** A debt default. */
  debt?(cell: CellView): number;
  /** What it sees is reported by informants, who earn points for true reports. */
  readonly reports?: boolean;
  /**
   * Residents perceive it as surveillance (it deters infractions, chills posting and adds
   * to the perceived arrest risk); police are perceived through Epstein's C/A instead.
   */
  readonly perceived: boolean;
}

/** Parameter blocks: the fields each mechanism adds to a region and to a group. */
export type Shape = z.ZodRawShape;
