import { describe, expect, it } from 'vitest';
import {
  CITIZEN,
  JAILED,
  RULE_SETS,
  arrestProbability,
  checkInvariants,
  copsAt,
  epsteinParams,
  geometryOf,
  jackknife,
  findOutbursts,
  legitimacyAt,
  meanSd,
  runEpstein,
  summarizeOutbursts,
  type EpsteinParams,
} from '../src/models/epstein/index.js';

const small = { width: 20, height: 20, citizenVision: 4, copVision: 4 } as const;
const families: Record<string, Partial<EpsteinParams>> = {
  netlogo: { ...small },
  paper: {
    ...small,
    visionShape: 'von-neumann',
    visionIncludesOwnCell: false,
    activeCountsSelfTwice: false,
    jailTermRule: 'paper',
    jailedAgents: 'removed',
    copMovesToArrestee: false,
    copsAlwaysMove: false,
  },
  mesa: {
    ...small,
    visionShape: 'von-neumann',
    visionIncludesOwnCell: false,
    activeCountsSelfTwice: false,
    arrestRule: 'round-half-even',
    jailTermRule: 'mesa',
    jailTiming: 'at-activation',
    jailedAgents: 'occupy',
    copMovesToArrestee: false,
    copsAlwaysMove: false,
    order: 'act-then-move',
    densityRealisation: 'per-cell',
  },
  original: { ...small, ...RULE_SETS.original },
};

describe('epsteinParams', () => {
  it('defaults to NetLogo Rebellion', () => {
    const p = epsteinParams.parse({});
    expect(p).toMatchObject({
      width: 40,
      height: 40,
      citizenDensity: 0.7,
      copDensity: 0.04,
      citizenVision: 7,
      copVision: 7,
      visionShape: 'disc',
      legitimacy: 0.82,
      maxJailTerm: 30,
      k: 2.3,
      threshold: 0.1,
      arrestRule: 'floor',
      activeCountsSelfTwice: true,
      copMovesToArrestee: true,
      copsAlwaysMove: true,
      order: 'move-then-act',
    });
  });

  it('rejects unknown keys, out-of-range and inconsistent values, naming the field', () => {
    const paths = (x: unknown) => {
      const r = epsteinParams.safeParse(x);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(paths({ visoin: 3 })).toEqual(['']);
    expect(paths({ copDensity: 1.5 })).toContain('copDensity');
    expect(paths({ citizenDensity: 0.8, copDensity: 0.3 })).toContain('copDensity');
    expect(paths({ width: 10, height: 10 })).toContain('citizenVision'); // radius 7 needs 15 cells a side
    expect(paths({ jailedAgents: 'occupy' })).toContain('copMovesToArrestee');
    expect(paths({ legitimacySchedule: { kind: 'sudden', at: 0, to: 0.5 } })).toContain('legitimacySchedule.at');
    expect(paths({ maxJailTerm: null })).toEqual([]);
    expect(paths({ releasePlacement: 'nearest-free' })).toContain('releasePlacement'); // needs jailedAgents 'removed'
    expect(
      paths({ citizenDensity: 0.9, copSchedule: { kind: 'gradual', start: 1, perTick: 0.01, to: 0.2 } }),
    ).toContain('copSchedule.to');
    expect(paths({ copSchedule: { kind: 'sudden', at: 10, to: 1.5 } })).toContain('copSchedule.to');
  });
});

describe('arrest probability rules', () => {
  const k = 2.3;
  it('literal uses C/A; floor truncates; round-half-even rounds halves to even (Python round)', () => {
    // C/A = 0.5, 1.5, 2.5 and 0.6, 1.4
    const cases: [number, number, number, number][] = [
      // C, A, floor ratio, round-half-even ratio
      [1, 2, 0, 0],
      [3, 2, 1, 2],
      [5, 2, 2, 2],
      [3, 5, 0, 1],
      [7, 5, 1, 1],
    ];
    for (const [C, A, f, r] of cases) {
      expect(arrestProbability('literal', k, C, A)).toBeCloseTo(1 - Math.exp((-k * C) / A), 12);
      expect(arrestProbability('floor', k, C, A)).toBeCloseTo(1 - Math.exp(-k * f), 12);
      expect(arrestProbability('round-half-even', k, C, A)).toBeCloseTo(1 - Math.exp(-k * r), 12);
    }
    expect(arrestProbability('literal', k, 1, 1)).toBeCloseTo(0.9, 2); // k chosen so that P(C = A = 1) ≈ 0.9
  });
});

describe('legitimacy schedule', () => {
  it('constant, sudden and gradual', () => {
    const base = { legitimacy: 0.9 };
    expect(legitimacyAt(epsteinParams.parse(base), 500)).toBe(0.9);
    const s = epsteinParams.parse({ ...base, legitimacySchedule: { kind: 'sudden', at: 77, to: 0.7 } });
    expect([legitimacyAt(s, 76), legitimacyAt(s, 77), legitimacyAt(s, 400)]).toEqual([0.9, 0.7, 0.7]);
    const g = epsteinParams.parse({
      ...base,
      legitimacySchedule: { kind: 'gradual', start: 10, perTick: 0.01, to: 0.2 },
    });
    expect(legitimacyAt(g, 9)).toBe(0.9);
    expect(legitimacyAt(g, 10)).toBeCloseTo(0.89, 12);
    expect(legitimacyAt(g, 29)).toBeCloseTo(0.7, 12);
    expect(legitimacyAt(g, 1000)).toBe(0.2);
    const up = epsteinParams.parse({
      legitimacy: 0.5,
      legitimacySchedule: { kind: 'gradual', start: 1, perTick: 0.1, to: 0.8 },
    });
    expect(legitimacyAt(up, 2)).toBeCloseTo(0.7, 12);
    expect(legitimacyAt(up, 50)).toBe(0.8);
  });
});

describe('determinism', () => {
  it('same seed gives identical series, another seed a different one', async () => {
    const a = await runEpstein({}, 7, 150);
    const b = await runEpstein({}, 7, 150);
    const c = await runEpstein({}, 8, 150);
    for (const key of Object.keys(a.series) as (keyof typeof a.series)[]) expect(b.series[key]).toEqual(a.series[key]);
    expect(Array.from(c.series.active)).not.toEqual(Array.from(a.series.active));
  });
});

describe('conservation and incremental bookkeeping', () => {
  for (const [name, params] of Object.entries(families)) {
    for (const rule of ['literal', 'floor'] as const) {
      it(`${name}, ${rule}: quiet + active + jailed = citizens every tick; counts match a recount`, async () => {
        let checks = 0;
        const r = await runEpstein({ ...params, arrestRule: rule, legitimacy: 0.7 }, 3, 200, {
          inspect: (tick, columns, globals) => {
            if (tick % 20 !== 0) return;
            checks++;
            expect(
              checkInvariants(epsteinParams.parse({ ...params, arrestRule: rule, legitimacy: 0.7 }), columns, globals),
            ).toEqual([]);
          },
        });
        expect(checks).toBe(11);
        const s = r.series;
        let arrests = 0;
        for (let t = 0; t <= 200; t++) {
          expect(s.quiet[t] + s.active[t] + s.jailed[t]).toBe(s.citizens[t]);
          expect(s.citizens[t]).toBe(s.citizens[0]);
          arrests += s.arrests[t];
        }
        expect(arrests).toBeGreaterThan(0); // L = 0.7 makes people rebel, so the check covers arrests
      });
    }
  }
});

describe('variant switches', () => {
  it('exact density gives round(d × cells) agents; per-cell draws vary around it', async () => {
    const exact = await runEpstein({ ...small }, 1, 1);
    expect(exact.series.citizens[0]).toBe(280);
    expect(exact.series.cops[0]).toBe(16);
    const counts = [];
    for (let seed = 1; seed <= 6; seed++)
      counts.push((await runEpstein({ ...small, densityRealisation: 'per-cell' }, seed, 1)).series.citizens[0]);
    // Binomial(400, 0.7): sd ≈ 9.2; 5 sd either side.
    for (const c of counts) expect(Math.abs(c - 280)).toBeLessThan(46);
    expect(new Set(counts).size).toBeGreaterThan(1);
  });

  it('infinite jail terms never release anyone', async () => {
    const r = await runEpstein({ ...small, maxJailTerm: null, legitimacy: 0.6 }, 2, 150);
    for (let t = 1; t <= 150; t++) expect(r.series.jailed[t]).toBeGreaterThanOrEqual(r.series.jailed[t - 1]);
    expect(r.series.jailed[150]).toBeGreaterThan(0);
  });

  it('jail-term rules: NetLogo 0…J−1 (decremented at end of tick), Mesa 0…J inclusive (decremented at own turn)', async () => {
    const maxTerm = async (params: Partial<EpsteinParams>) => {
      let max = 0;
      await runEpstein({ ...small, legitimacy: 0.6, maxJailTerm: 5, ...params }, 4, 300, {
        inspect: (_t, columns) => {
          const state = columns.state;
          const term = columns.term;
          for (let a = 0; a < state.length; a++) if (state[a] === JAILED) max = Math.max(max, term[a]);
        },
      });
      return max;
    };
    // NetLogo: drawn ≤ 4, already decremented once when the tick ends.
    expect(await maxTerm({ jailTermRule: 'netlogo' })).toBe(3);
    // Mesa: drawn ≤ 5, seen undecremented when the arrest comes after the arrestee's turn.
    expect(await maxTerm({ ...families.mesa, legitimacy: 0.6, maxJailTerm: 5 })).toBe(5);
    // Paper: 1…J served whole ticks, decremented at end of tick.
    expect(await maxTerm({ jailTermRule: 'paper' })).toBe(4);
  });

  it('movement off: citizens never move; cops move only if copsAlwaysMove', async () => {
    const positions = async (copsAlwaysMove: boolean) => {
      const snaps: Int32Array[] = [];
      await runEpstein({ ...small, movement: false, copsAlwaysMove, copMovesToArrestee: false }, 5, 30, {
        inspect: (t, columns) => {
          if (t === 0 || t === 30) snaps.push(Int32Array.from(columns.pos as Int32Array));
        },
      });
      return snaps;
    };
    const citizens = 280;
    const [a0, a1] = await positions(true);
    expect(Array.from(a1.subarray(0, citizens))).toEqual(Array.from(a0.subarray(0, citizens)));
    expect(Array.from(a1.subarray(citizens))).not.toEqual(Array.from(a0.subarray(citizens)));
    const [b0, b1] = await positions(false);
    expect(Array.from(b1)).toEqual(Array.from(b0));
  });

  it('every switch changes the run', async () => {
    const base = await runEpstein({}, 11, 120);
    const flips: Partial<EpsteinParams>[] = [
      { arrestRule: 'literal' },
      { arrestRule: 'round-half-even' },
      { visionShape: 'von-neumann' },
      { visionIncludesOwnCell: false },
      { activeCountsSelfTwice: false },
      { jailTermRule: 'mesa' },
      { jailTiming: 'at-activation' },
      { jailedAgents: 'removed' },
      { copMovesToArrestee: false },
      { movement: false },
      { order: 'act-then-move' },
      { densityRealisation: 'per-cell' },
      { maxJailTerm: null },
      { legitimacySchedule: { kind: 'sudden', at: 50, to: 0.7 } },
      { copSchedule: { kind: 'gradual', start: 10, perTick: 0.001, to: 0.01 } },
      { grievanceScaling: 'one-minus-threshold' },
      { movementRule: 'one-step' },
      { arrestChoice: 'nearest' },
      { activation: 'citizens-then-cops' },
      { order: 'citizens-move-first-cops-arrest-first' },
      { jailTiming: 'at-activation-decrement-first' },
    ];
    for (const flip of flips) {
      const r = await runEpstein(flip, 11, 120);
      const same = ['active', 'jailed', 'arrests'].every((m) =>
        r.series[m as 'active'].every((v, i) => v === base.series[m as 'active'][i]),
      );
      expect(same, JSON.stringify(flip)).toBe(false);
    }
  });
});

describe('outburst analysis', () => {
  it('finds maximal episodes above the threshold with waits, activation and completeness', () => {
    const s = [0, 60, 70, 10, 0, 0, 51, 50, 80, 90, 100];
    const o = findOutbursts(s);
    expect(o.map((x) => [x.start, x.end, x.activation, x.peak, x.complete])).toEqual([
      [1, 2, 130, 70, true],
      [6, 6, 51, 51, true],
      [8, 10, 270, 100, false],
    ]);
    const sum = summarizeOutbursts(s);
    expect(sum.waits).toEqual([3, 1]);
    expect(sum.intervals).toEqual([5, 2]);
    expect(sum.activations).toEqual([130, 51]);
    // Burn-in cutting an outburst marks it incomplete.
    expect(findOutbursts(s, { burnIn: 2 })[0]).toMatchObject({ start: 2, complete: false });
    expect(findOutbursts(s, { threshold: 95 }).length).toBe(1);
    // Jackknife over runs: for the mean of equal-sized runs it is s.d.(run means) / √runs.
    const j = jackknife(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      (xs) => meanSd(xs).mean,
    );
    expect(j.value).toBe(3.5);
    expect(j.se).toBeCloseTo(2 / Math.sqrt(3), 12);
    const m = meanSd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(m.mean).toBe(5);
    expect(m.sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });
});

describe("the original code's rules", () => {
  /** Torus displacement between two cells of a w × w lattice. */
  const dist2 = (w: number, a: number, b: number): number => {
    const d = (u: number): number => Math.min(Math.abs(u), w - Math.abs(u));
    return d((a % w) - (b % w)) ** 2 + d(Math.floor(a / w) - Math.floor(b / w)) ** 2;
  };

  it('one-step movement: a free citizen moves at most one cell (Moore) per tick', async () => {
    const p = { ...small, ...RULE_SETS.original, legitimacy: 0.7 };
    let prev: { pos: Int32Array; state: Uint8Array } | undefined;
    let moved = 0;
    await runEpstein(p, 3, 60, {
      inspect: (_t, columns) => {
        const pos = Int32Array.from(columns.pos as Int32Array);
        const state = Uint8Array.from(columns.state as Uint8Array);
        const kind = columns.kind as Uint8Array;
        if (prev)
          for (let a = 0; a < pos.length; a++) {
            if (kind[a] !== CITIZEN || state[a] === JAILED || prev.state[a] === JAILED) continue;
            const d2 = dist2(20, prev.pos[a], pos[a]);
            expect(d2).toBeLessThanOrEqual(2);
            if (d2 > 0) moved++;
          }
        prev = { pos, state };
      },
    });
    expect(moved).toBeGreaterThan(1000); // the check saw many moves, not a frozen lattice
  });

  it('geometry: the nearest-arrest search is the cop disc without its rim, nearest first; release looks at distance < 16', () => {
    const g = geometryOf(epsteinParams.parse({ ...RULE_SETS.original }));
    const { dx, dy, starts } = g.nearestK;
    const d2 = [...dx.keys()].map((k) => dx[k] ** 2 + dy[k] ** 2);
    // radius 7: 149 cells with d² ≤ 49, of which 4 on the rim (±7, 0), (0, ±7): 145 kept, own cell included.
    expect(d2.length).toBe(145);
    expect(Math.max(...d2)).toBeLessThan(49);
    for (let k = 1; k < d2.length; k++) expect(d2[k]).toBeGreaterThanOrEqual(d2[k - 1]);
    for (let gi = 0; gi + 1 < starts.length; gi++) expect(new Set(d2.slice(starts[gi], starts[gi + 1])).size).toBe(1);
    const free = g.nearestFree;
    expect([free.dx[0], free.dy[0]]).toEqual([0, 0]); // the arrest cell itself first
    const fd2 = [...free.dx.keys()].map((k) => free.dx[k] ** 2 + free.dy[k] ** 2);
    let within = 0;
    for (let y = -15; y <= 15; y++) for (let x = -15; x <= 15; x++) if (x * x + y * y < 256) within++;
    expect(fd2.length).toBe(within);
    expect(Math.max(...fd2)).toBeLessThan(256);
  });

  it('nearest-free release puts the agent back beside its arrest cell, random-cell anywhere', async () => {
    const meanJump = async (releasePlacement: 'nearest-free' | 'random-cell') => {
      let prev: { pos: Int32Array; state: Uint8Array } | undefined;
      const jumps: number[] = [];
      await runEpstein({ ...RULE_SETS.original, legitimacy: 0.7, releasePlacement }, 2, 120, {
        inspect: (_t, columns) => {
          const pos = Int32Array.from(columns.pos as Int32Array);
          const state = Uint8Array.from(columns.state as Uint8Array);
          if (prev)
            for (let a = 0; a < pos.length; a++)
              if (prev.state[a] === JAILED && state[a] !== JAILED)
                jumps.push(Math.sqrt(dist2(40, prev.pos[a], pos[a])));
          prev = { pos, state };
        },
      });
      expect(jumps.length).toBeGreaterThan(100);
      return jumps.reduce((a, b) => a + b, 0) / jumps.length;
    };
    // A released agent only decides on its release turn (no step), so where it stands at the
    // end of the tick is where it was put. At density ~0.74 the nearest free cell is a cell or
    // two away; a uniformly random cell of a 40 × 40 torus is ~15 cells away on average.
    expect(await meanJump('nearest-free')).toBeLessThan(3);
    expect(await meanJump('random-cell')).toBeGreaterThan(10);
  });

  it('jail timing: terms 0…J empty the jail J ticks after the last arrest with decrement-first, J + 1 with Mesa', async () => {
    // Legitimacy jumps to 1 at tick S: G = 0, nobody acts, no arrest from S on. Citizens act
    // before cops, so the last arrests (tick S − 1) start counting at S. Decrement-first
    // (Ascape): a term t is out at its turn max(t, 1) ticks later, so the jail is empty by the
    // end of S − 1 + J. Mesa: the turn at 0 comes one tick later: empty by S + J, not before.
    const S = 60;
    const J = 5;
    const jailed = async (jailTiming: EpsteinParams['jailTiming'], seed: number) =>
      (
        await runEpstein(
          {
            ...small,
            ...RULE_SETS.original,
            legitimacy: 0.6,
            legitimacySchedule: { kind: 'sudden', at: S, to: 1 },
            maxJailTerm: J,
            jailTiming,
          },
          seed,
          S + J + 2,
        )
      ).series.jailed;
    const last = { ascape: 0, mesa: 0 };
    for (let seed = 1; seed <= 6; seed++) {
      const ascape = await jailed('at-activation-decrement-first', seed);
      const mesa = await jailed('at-activation', seed);
      expect(ascape[S - 1 + J]).toBe(0);
      expect(mesa[S + J]).toBe(0);
      last.ascape += ascape[S - 2 + J];
      last.mesa += mesa[S - 1 + J];
    }
    // … and not earlier: some agent is still in on the tick before (terms of J do get drawn).
    expect(last.ascape).toBeGreaterThan(0);
    expect(last.mesa).toBeGreaterThan(0);
  });

  it('cop schedule: the cops on the lattice follow round(density(t) × cells), down and up', async () => {
    for (const copSchedule of [
      { kind: 'gradual', start: 5, perTick: 0.005, to: 0.01 },
      { kind: 'gradual', start: 5, perTick: 0.005, to: 0.1 },
      { kind: 'sudden', at: 20, to: 0 },
    ] as const) {
      const p = { ...small, ...RULE_SETS.original, legitimacy: 0.7, copSchedule };
      const parsed = epsteinParams.parse(p);
      let checks = 0;
      const r = await runEpstein(p, 6, 60, {
        inspect: (tick, columns, globals) => {
          if (tick % 10 === 0) {
            checks++;
            expect(checkInvariants(parsed, columns, globals)).toEqual([]);
          }
        },
      });
      for (let t = 0; t <= 60; t++) expect(r.series.cops[t], `${copSchedule.kind} tick ${t}`).toBe(copsAt(parsed, t));
      expect(checks).toBe(7);
      expect(r.series.cops[60]).not.toBe(r.series.cops[0]);
    }
  });
});
