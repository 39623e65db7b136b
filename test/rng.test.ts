import { describe, expect, it } from 'vitest';
import { CounterRng, MAX_SEED, shuffleInPlace, streamId } from '../src/engine/rng.js';

// Critical values of the chi-square distribution at p = 0.001 (upper tail): a correct
// generator fails each of these checks with probability 0.001 for a given seed, and the
// seeds are fixed, so the suite is deterministic.
const CHI2_99_P001 = 148.23;
const CHI2_255_P001 = 330.52;

function chiSquare(counts: Uint32Array | number[], expected: number): number {
  let x = 0;
  for (const c of counts) x += ((c - expected) * (c - expected)) / expected;
  return x;
}

function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

const N = 400_000;
// Under independence the sample correlation of N uniforms has s.d. 1/sqrt(N); 4.5 s.d.
// is a false-alarm rate of ~7e-6 per check.
const R_BOUND = 4.5 / Math.sqrt(N);

describe('CounterRng', () => {
  it('is a pure function of (seed, stream, agent, tick, draw)', () => {
    const a = new CounterRng(42, 7);
    const b = new CounterRng(42, 7);
    const first = [a.key(10, 3).u32(), a.u32(), a.u32()];
    b.key(99, 1).u32(); // unrelated draws in between change nothing
    expect([b.key(10, 3).u32(), b.u32(), b.u32()]).toEqual(first);
    // Re-keying restarts the draw index.
    expect(a.key(10, 3).u32()).toBe(first[0]);
  });

  it('keyed lazily, gives the same draws as keyed at once, and skips nothing when unused', () => {
    const eager = new CounterRng(8, 4);
    const lazy = new CounterRng(8, 4);
    for (let agent = 0; agent < 50; agent++) {
      eager.key(agent, 9);
      lazy.keyLazily(agent, 9);
      if (agent % 3 === 0) continue; // a lazily keyed agent that draws nothing
      expect([lazy.u32(), lazy.uniform(), lazy.below(7)]).toEqual([eager.u32(), eager.uniform(), eager.below(7)]);
    }
    // A plain key() after a pending lazy one wins.
    lazy.keyLazily(1, 1);
    expect(lazy.key(2, 2).u32()).toBe(eager.key(2, 2).u32());
  });

  it('draws are uniform across agents, across draws of one key, and in every bit', () => {
    const rng = new CounterRng(1, streamId('uniformity'));
    const acrossAgents = new Uint32Array(100);
    const acrossDraws = new Uint32Array(100);
    const bits = new Uint32Array(32);
    for (let i = 0; i < N; i++) {
      const x = rng.key(i, 5).u32();
      acrossAgents[Math.floor((x / 4294967296) * 100)]++;
      for (let b = 0; b < 32; b++) bits[b] += (x >>> b) & 1;
    }
    rng.key(0, 0);
    for (let i = 0; i < N; i++) acrossDraws[Math.floor(rng.uniform() * 100)]++;
    expect(chiSquare(acrossAgents, N / 100)).toBeLessThan(CHI2_99_P001);
    expect(chiSquare(acrossDraws, N / 100)).toBeLessThan(CHI2_99_P001);
    // Each bit is Binomial(N, 1/2): s.d. sqrt(N)/2; allow 4.5 s.d.
    for (const count of bits) expect(Math.abs(count - N / 2)).toBeLessThan((4.5 * Math.sqrt(N)) / 2);
  });

  it('pairs of neighbouring agents are uniform in two dimensions', () => {
    const rng = new CounterRng(3, streamId('pairs'));
    const cells = new Uint32Array(256);
    for (let i = 0; i < N; i += 2) {
      const a = Math.floor(rng.key(i, 0).uniform() * 16);
      const b = Math.floor(rng.key(i + 1, 0).uniform() * 16);
      cells[a * 16 + b]++;
    }
    expect(chiSquare(cells, N / 2 / 256)).toBeLessThan(CHI2_255_P001);
  });

  it('shows no correlation between consecutive draws, neighbouring agents, ticks, streams or seeds', () => {
    const s1 = new CounterRng(11, streamId('a'));
    const s2 = new CounterRng(11, streamId('b'));
    const other = new CounterRng(12, streamId('a'));
    const base = new Float64Array(N);
    const nextDraw = new Float64Array(N);
    const nextAgent = new Float64Array(N);
    const nextTick = new Float64Array(N);
    const otherStream = new Float64Array(N);
    const otherSeed = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      base[i] = s1.key(i, 100).uniform();
      nextDraw[i] = s1.uniform();
      nextAgent[i] = s1.key(i + 1, 100).uniform();
      nextTick[i] = s1.key(i, 101).uniform();
      otherStream[i] = s2.key(i, 100).uniform();
      otherSeed[i] = other.key(i, 100).uniform();
    }
    for (const series of [nextDraw, nextAgent, nextTick, otherStream, otherSeed]) {
      expect(Math.abs(correlation(base, series))).toBeLessThan(R_BOUND);
    }
  });

  it('gives distinct streams to distinct seeds, including seeds that differ only above bit 32', () => {
    const firsts = new Set<number>();
    for (let seed = 0; seed < 2000; seed++) firsts.add(new CounterRng(seed, 0).key(0, 0).u32());
    // 2000 draws from 2^32 values collide with probability < 0.0005.
    expect(firsts.size).toBe(2000);
    const low = new CounterRng(5, 0);
    const high = new CounterRng(5 + 2 ** 32, 0);
    const same = Array.from({ length: 64 }, (_, i) => low.key(i, 0).u32() === high.key(i, 0).u32()).filter(Boolean);
    expect(same.length).toBe(0);
    expect(() => new CounterRng(-1, 0)).toThrow(/seed/);
    expect(() => new CounterRng(MAX_SEED + 1, 0)).toThrow(/seed/);
    expect(() => new CounterRng(1.5, 0)).toThrow(/seed/);
  });

  it('below(n) is uniform for small and large n', () => {
    const rng = new CounterRng(9, 1);
    const counts = new Uint32Array(7);
    for (let i = 0; i < 70_000; i++) counts[rng.key(i, 0).below(7)]++;
    // 6 degrees of freedom, p = 0.001 → 22.46
    expect(chiSquare(counts, 10_000)).toBeLessThan(22.46);
    const big = 3_000_000_000;
    const buckets = new Uint32Array(100);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < 100_000; i++) {
      const v = rng.key(i, 1).below(big);
      min = Math.min(min, v);
      max = Math.max(max, v);
      buckets[Math.floor((v / big) * 100)]++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(big);
    expect(chiSquare(buckets, 1000)).toBeLessThan(CHI2_99_P001);
  });

  it('shuffles into a permutation that depends on the tick', () => {
    const rng = new CounterRng(2, 3);
    const a = Uint32Array.from({ length: 1000 }, (_, i) => i);
    const b = Uint32Array.from({ length: 1000 }, (_, i) => i);
    shuffleInPlace(a, rng, 1);
    shuffleInPlace(b, rng, 2);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...a]).not.toEqual([...b]);
    const again = Uint32Array.from({ length: 1000 }, (_, i) => i);
    shuffleInPlace(again, rng, 1);
    expect([...again]).toEqual([...a]);
  });
});
