/**
 * What a cell's surveillance can see today: every registered channel's detection
 * probability for each kind of act (mechanism.ts `Channel`), in registry order, and the
 * combined surveillance residents perceive: the deployed probabilities, or what they have
 * learned of them (perception.ts). Perceived surveillance is what the deterrence and
 * chilling responses act on; police are perceived through Epstein's C/A instead.
 */
import { mechanisms } from './mechanisms.js';
import type { CellView, Channel } from './mechanism.js';
import type { RegimeParams, RegionParams } from './params.js';
import type { ShardContext } from '../../engine/model.js';
import { Perception } from './perception.js';
import { patrolStrength } from './patrols.js';
import { perceivedEnforcers, policeInCell } from './police.js';

type Kind = 'protest' | 'offline' | 'post' | 'call' | 'debt';

/** The channels that can see one kind of act, and their probabilities in the current cell. */
export class ChannelSet {
  readonly channels: readonly Channel[];
  readonly names: readonly string[];
  readonly q: Float64Array;
  /** Bits (by position) of the channels whose detections are informants' reports. */
  readonly reportMask: number;

  constructor(
    all: readonly Channel[],
    private readonly kind: Kind,
  ) {
    this.channels = all.filter((ch) => ch[kind] !== undefined);
    this.names = this.channels.map((ch) => ch.name);
    this.q = new Float64Array(this.channels.length);
    this.reportMask = this.channels.reduce((m, ch, k) => (ch.reports ? m | (1 << k) : m), 0);
  }

  update(cell: CellView): void {
    for (let k = 0; k < this.channels.length; k++) this.q[k] = this.channels[k][this.kind]!(cell);
  }

  /** Probability that at least one perceived channel sees the act (the channel's own when it is the only one deployed). */
  perceived(): number {
    let alone = -1;
    let unseen = 1;
    let count = 0;
    for (let k = 0; k < this.channels.length; k++) {
      const ch = this.channels[k];
      if (!ch.perceived || this.q[k] === 0) continue;
      unseen *= 1 - this.q[k];
      alone = this.q[k];
      count++;
    }
    return count === 1 ? alone : 1 - unseen;
  }
}

export class CellChannels implements CellView {
  readonly p: RegimeParams;
  region!: RegionParams;
  residents = 0;
  informants = 0;
  hasCentre = false;
  observersPerCell = 0;
  police = 0;
  patrol = 1;
  actives = 0;
  /** Enforcers residents perceive: visible police plus sanctions seen (Epstein's C). */
  enforcers = 0;
  readonly protests: ChannelSet;
  readonly offlines: ChannelSet;
  readonly posts: ChannelSet;
  readonly calls: ChannelSet;
  readonly debts: ChannelSet;
  /** Perceived surveillance of an offline act, of a protest attendance, of a post and of a call. */
  offline = 0;
  protest = 0;
  platform = 0;
  call = 0;

  /** What residents have learned of surveillance (perception.ts), used when they learn. */
  readonly perception: Perception;
  /** Patrol strength of each cell (patrols.ts), when patrols follow detections. */
  private readonly patrols: Float32Array | undefined;

  constructor(ctx: ShardContext<RegimeParams>) {
    this.p = ctx.params;
    this.perception = new Perception(ctx);
    this.patrols = ctx.columns.cellPatrol as Float32Array | undefined;
    const all = mechanisms().flatMap((m) => m.channels ?? []);
    this.protests = new ChannelSet(all, 'protest');
    this.offlines = new ChannelSet(all, 'offline');
    this.posts = new ChannelSet(all, 'post');
    this.calls = new ChannelSet(all, 'call');
    this.debts = new ChannelSet(all, 'debt');
  }

  update(
    region: RegionParams,
    residents: number,
    informants: number,
    hasCentre: boolean,
    observersPerCell: number,
    sanctionsSeen: number,
    actives: number,
    c = -1,
  ): this {
    const p = this.p;
    this.region = region;
    this.residents = residents;
    this.informants = informants;
    this.hasCentre = hasCentre;
    this.observersPerCell = observersPerCell;
    this.actives = actives;
    this.patrol = patrolStrength(this.patrols, c);
    this.police = policeInCell(p, region, residents);
    this.enforcers = perceivedEnforcers(p, this.police * this.patrol, sanctionsSeen, residents);
    this.protests.update(this);
    this.offlines.update(this);
    this.posts.update(this);
    this.calls.update(this);
    this.debts.update(this);
    this.offline = this.offlines.perceived();
    // A gathering is also an offline act: the channels that see only gatherings add to those.
    let unseen = 1 - this.offline;
    const { channels, q } = this.protests;
    for (let k = 0; k < channels.length; k++) {
      if (channels[k].perceived && channels[k].offline === undefined) unseen *= 1 - q[k];
    }
    this.protest = 1 - unseen;
    this.platform = this.posts.perceived();
    this.call = this.calls.perceived();
    if (this.perception.on && c >= 0) this.perception.learn(this, c);
    return this;
  }
}
