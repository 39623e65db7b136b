/**
 * Day countdowns of rare states: a listing's remaining term, the judgment clock of a
 * recorded default, a pending appeal. When listings come from court judgments only, few
 * residents are in these states at any time, yet a column is touched a memory page (2,048–
 * 4,096 residents) at a time wherever one of them lives — over a year, nearly every page.
 * Then each shard keeps them in a map instead (ShardContext.local; executors pin shards to
 * threads). When a score can list residents, possibly most of them, a column is cheaper.
 */
import type { ShardContext } from '../../engine/model.js';
import type { RegimeParams } from './params.js';
import { scoreMoves } from './score.js';

export interface Countdown {
  /** Days left for resident i (0: none). */
  get(i: number): number;
  set(i: number, days: number): void;
}

export type CountdownName = 'listDays' | 'timer' | 'appealDays';

/** Whether the rare-state countdowns are kept sparse (listings only by judgment). */
export function sparseCountdowns(p: RegimeParams): boolean {
  return !scoreMoves(p);
}

class ColumnCountdown implements Countdown {
  constructor(private readonly column: Uint8Array | Uint16Array) {}
  get(i: number): number {
    return this.column[i];
  }
  set(i: number, days: number): void {
    this.column[i] = days;
  }
}

class MapCountdown implements Countdown {
  constructor(private readonly days: Map<number, number>) {}
  get(i: number): number {
    return this.days.get(i) ?? 0;
  }
  set(i: number, days: number): void {
    if (days === 0) this.days.delete(i);
    else this.days.set(i, days);
  }
}

/** The countdown `name` of this shard: its column, or its map when sparse. */
export function countdown(ctx: ShardContext<RegimeParams>, name: CountdownName): Countdown {
  if (!sparseCountdowns(ctx.params)) return new ColumnCountdown(ctx.columns[name] as Uint8Array | Uint16Array);
  let days = ctx.local.get(name) as Map<number, number> | undefined;
  if (!days) {
    days = new Map();
    ctx.local.set(name, days);
  }
  return new MapCountdown(days);
}
