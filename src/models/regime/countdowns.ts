/**
 * Day countdowns of rare states: a listing's remaining term, the judgment clock of a
 * recorded default, a pending appeal. When listings come from court judgments only, few
 * residents are in these states at any time, yet a column is touched a memory page (2,048–
 * 4,096 residents) at a time wherever one of them lives — over a year, nearly every page.
 * Then each shard keeps them in a sparse map instead (ShardContext.sparse, engine/sparse.ts).
 * When a score can list residents, possibly most of them, a column is cheaper.
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

/** The countdowns kept as sparse maps when they are (layout.ts declares them). */
export const COUNTDOWN_NAMES: readonly CountdownName[] = ['listDays', 'timer', 'appealDays'];

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

/** The countdown `name` of this shard: its column, or its sparse map. */
export function countdown(ctx: ShardContext<RegimeParams>, name: CountdownName): Countdown {
  if (!sparseCountdowns(ctx.params)) return new ColumnCountdown(ctx.columns[name] as Uint8Array | Uint16Array);
  const days = ctx.sparse[name];
  if (!days) throw new Error(`the layout declares no sparse map "${name}"`);
  return days;
}

/** Column type of a day countdown whose longest term is `maxDays`. */
export function countdownType(maxDays: number): 'u8' | 'u16' {
  return maxDays <= 255 ? 'u8' : 'u16';
}
