/**
 * Counter-based randomness: every draw is a pure function of
 * (seed, stream, agent, tick, draw index). Nothing is sequential, so a run's draws do
 * not depend on how agents are split over shards or threads, nor on the order in which
 * they are visited.
 *
 * Construction. The key (seed, stream, agent, tick) is absorbed into two independent
 * 32-bit lanes with a strong integer finalizer (Wellons' "lowbias32", bias ≈ 0.17 of an
 * ideal avalanche), so two distinct keys collide only with probability ≈ 2^-64. A draw
 * hashes (lane, draw index) once per lane and xors the results. 32-bit integer ops
 * only (Math.imul), so it runs in browsers and workers and costs ~20 ops per draw:
 * block ciphers such as Philox or Threefry cost 5–10× more in JavaScript, which the
 * hot paths cannot afford. Quality is checked in test/rng.test.ts (uniformity,
 * serial and cross-stream / cross-agent correlation, seed separation).
 */

const GOLDEN = 0x9e3779b9;

/** Wellons' lowbias32 finalizer: a bijection on 32-bit integers with strong avalanche. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A second, independent finalizer (Wellons' triple32 constants) for the other lane. */
function mix32b(x: number): number {
  x ^= x >>> 17;
  x = Math.imul(x, 0xed5ad4bb);
  x ^= x >>> 11;
  x = Math.imul(x, 0xac4c1b51);
  x ^= x >>> 15;
  x = Math.imul(x, 0x31848bab);
  x ^= x >>> 14;
  return x >>> 0;
}

const TWO_POW_32 = 4294967296;
const INV_TWO_POW_32 = 1 / TWO_POW_32;

/** Largest seed accepted: seeds are integers in [0, 2^53). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/**
 * A keyed random source for one (seed, stream). `key(agent, tick)` positions the cursor;
 * `u32()`/`uniform()`/`below(n)` then return draws 0, 1, 2, ... of that key. Re-keying is
 * cheap (a few multiplies), so systems re-key per agent per tick.
 *
 * The cursor is mutable on purpose: hot loops must not allocate per agent.
 */
export class CounterRng {
  readonly seed: number;
  readonly stream: number;
  private readonly base0: number;
  private readonly base1: number;
  private k0 = 0;
  private k1 = 0;
  private pending = false;
  private pendingAgent = 0;
  private pendingTick = 0;
  /** Index of the next draw under the current key. */
  draw = 0;

  constructor(seed: number, stream: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
    }
    if (!Number.isInteger(stream) || stream < 0 || stream >= TWO_POW_32) {
      throw new RangeError(`stream must be an integer in [0, 2^32), got ${stream}`);
    }
    this.seed = seed;
    this.stream = stream;
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    this.base0 = mix32(mix32(lo ^ 0x243f6a88) ^ hi) ^ mix32(stream + GOLDEN);
    this.base1 = mix32b(mix32b(hi ^ 0x85a308d3) + lo) ^ mix32b(stream ^ 0x13198a2e);
    this.key(0, 0);
  }

  /** Position the cursor at draw 0 of (agent, tick). Both are integers in [0, 2^32). */
  key(agent: number, tick: number): this {
    this.k0 = mix32(mix32(this.base0 ^ agent) + Math.imul(tick ^ 0x3c6ef372, GOLDEN));
    this.k1 = mix32b(mix32b(this.base1 + Math.imul(agent, 0x85ebca6b)) ^ (tick + 0x7f4a7c15));
    this.draw = 0;
    this.pending = false;
    return this;
  }

  /**
   * Like `key`, but the key is derived only when the first draw is taken: loops that visit
   * every agent but draw for few of them skip the hashing. The draws are the same.
   */
  keyLazily(agent: number, tick: number): this {
    this.pendingAgent = agent;
    this.pendingTick = tick;
    this.pending = true;
    this.draw = 0;
    return this;
  }

  /** The next 32-bit unsigned integer. */
  u32(): number {
    if (this.pending) this.key(this.pendingAgent, this.pendingTick);
    const d = this.draw++;
    return (mix32(this.k0 + Math.imul(d, GOLDEN)) ^ mix32b(this.k1 ^ Math.imul(d + 1, 0xcc9e2d51))) >>> 0;
  }

  /** A uniform double in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.u32() * INV_TWO_POW_32;
  }

  /** A uniform double in [0, 1) with 53 bits of resolution (two draws). */
  uniform53(): number {
    const a = this.u32() >>> 5;
    const b = this.u32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * A uniform integer in [0, n). Exact and unbiased for n ≤ 2^21 (Lemire's multiply with
   * rejection: the 53-bit product is exact in a double); above that, floor(uniform53·n),
   * whose bias is below n / 2^53.
   */
  below(n: number): number {
    if (n <= 1) return 0;
    if (n > 2097152) return Math.floor(this.uniform53() * n);
    // Lemire: the low 32 bits of x·n decide acceptance; the modulo that sets the rejection
    // threshold is needed only in the rare case that they fall below n.
    let x = this.u32();
    let low = Math.imul(x, n) >>> 0;
    if (low < n) {
      const threshold = (TWO_POW_32 - n) % n;
      while (low < threshold) {
        x = this.u32();
        low = Math.imul(x, n) >>> 0;
      }
    }
    return Math.floor(x * n * INV_TWO_POW_32);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }
}

/** Stable stream ids from names, so systems need not coordinate numbers by hand. */
export function streamId(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/**
 * Fisher–Yates shuffle of `order` in place, every swap drawn from (stream, slot, tick):
 * the permutation depends only on (seed, stream, tick, length).
 */
export function shuffleInPlace(order: Uint32Array | Int32Array, rng: CounterRng, tick: number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.key(i, tick).below(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}
