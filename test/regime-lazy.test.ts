/**
 * The fast day's lazy state (src/models/regime/fast/lazy.ts, docs/odd/regime.md §3.2):
 * residents it does not visit on a night must be exactly those with nothing to do, and the
 * per-cell maps and sums must say what a resident-by-resident pass would.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ShardContext } from '../src/engine/model.js';
import { ProtestRule } from '../src/models/regime/fast/decide.js';
import { VISIT_FLAGS, isVisited, legitimacyOf } from '../src/models/regime/fast/lazy.js';
import { A, F, GROUP_MASK } from '../src/models/regime/layout.js';
import type { RegimeParams } from '../src/models/regime/params.js';
import { regimeReferenceModel } from '../src/models/regime/index.js';
import { fullFeatured, run, scenario, type Run } from './regime-helpers.js';

// National-blacklist's mechanisms plus cameras, informants and extortion (events landing on
// residents the act phase did not pick), and a fast recovery so that maps shrink to their
// floor (a rebuild every 14 days) within the run. No grid: the risk below needs no globals.
const params = scenario(
  {
    behaviour: { initialLegitimacy: 0.7, legitimacySpread: 0.2, defaultRate: 0.001 },
    police: { arrestProbability: 0.9 },
    cameras: { enabled: true, falseMatchRate: 0.002 },
    informants: { enabled: true, falseReportRate: 0.02 },
    abuse: { enabled: true, extortionRate: 0.02 },
    records: { enabled: true, judgmentDelay: 10 },
    lists: { enabled: true, blacklistOnJudgment: true, durationDays: 60 },
    sanctions: { enabled: true, publicShaming: true, welfareLoss: 0.05 },
    family: { enabled: true },
    dueProcess: { enabled: true },
    response: { enabled: true, recovery: 0.05, visibleLoss: 0.002 },
  },
  { agents: 12_000, region: { camerasPerThousand: 50, informantsPerThousand: 5, policePer100k: 300 } },
);

describe('the fast day visits exactly the residents with something to do', () => {
  const runs = new Map<number, Run>();
  beforeAll(async () => {
    for (const K of [3, 40]) runs.set(K, await run(params, K, 11));
  });

  it.each([3, 40])('leaves no event unvisited and every rare state, decision and protester marked (day %i)', (K) => {
    const r = runs.get(K)!;
    const { flags, events, acts, visits } = r.columns as Record<string, Uint32Array>;
    const { unitStarts, wordStarts, cells } = r.layout;
    let marked = 0;
    let rare = 0;
    for (let c = 0; c < cells; c++) {
      const s = unitStarts[c];
      for (let i = s; i < unitStarts[c + 1]; i++) {
        // Settle clears the events of everyone it visits: one left means a missed visit.
        expect(events[i], `events of ${i}`).toBe(0);
        const visited = isVisited(visits, wordStarts[c], s, i);
        if (visited) marked++;
        if (flags[i] & VISIT_FLAGS) {
          rare++;
          expect(visited, `rare state of ${i}`).toBe(true);
        }
        if (acts[i] !== 0) expect(visited, `decision of ${i}`).toBe(true);
      }
    }
    // Not vacuous: some residents are in rare states, and thousands are not visited.
    expect(rare).toBeGreaterThan(50);
    expect(marked).toBeLessThan(params.population.agents - 2000);
  });

  it.each([3, 40])('decides every free adult by the rule, visited or not (day %i)', (K) => {
    const r = runs.get(K)!;
    const cols = r.columns as Record<string, Uint8Array & Uint16Array>;
    const { flags, acts, hardship, riskAversion } = cols;
    const ctx = { params, columns: r.columns, globals: new Float64Array(r.layout.globals) };
    const rule = new ProtestRule(ctx as unknown as ShardContext<RegimeParams>);
    let protesters = 0;
    let quiet = 0;
    for (let c = 0; c < r.layout.cells; c++) {
      rule.cell(c);
      for (let i = r.layout.unitStarts[c]; i < r.layout.unitStarts[c + 1]; i++) {
        if (flags[i] & (F.CHILD | F.DETAINED)) continue;
        const grievance = hardship[i] * 65535 * (1 - legitimacyOf(r.columns, r.layout.groups, c, i));
        const protests = rule.protests(i, flags[i], grievance, riskAversion[i]);
        expect((acts[i] & A.PROTEST) !== 0, `decision of ${i}`).toBe(protests);
        if (protests) protesters++;
        else quiet++;
      }
    }
    expect(protesters).toBeGreaterThan(20);
    expect(quiet).toBeGreaterThan(1000);
  });

  it.each([3, 40])('keeps cell sums and bounds that match the residents (day %i)', (K) => {
    const r = runs.get(K)!;
    const { flags, hardship, group } = r.columns as Record<string, Uint8Array & Uint16Array>;
    const bound = r.columns.cellGrievanceBound as Float64Array;
    let sumL = 0;
    let sumGrievance = 0;
    let sumMinorityL = 0;
    let minority = 0;
    for (let c = 0; c < r.layout.cells; c++) {
      for (let i = r.layout.unitStarts[c]; i < r.layout.unitStarts[c + 1]; i++) {
        const L = legitimacyOf(r.columns, r.layout.groups, c, i);
        const grievance = (hardship[i] / 255) * (1 - L);
        sumL += L;
        sumGrievance += grievance;
        if ((group[i] & GROUP_MASK) === 1) {
          sumMinorityL += L;
          minority++;
        }
        // Thinning of tomorrow's posts needs every free adult under the cell's bound.
        if (!(flags[i] & (F.CHILD | F.DETAINED))) expect(grievance).toBeLessThanOrEqual(bound[c] * (1 + 1e-12));
      }
    }
    const n = params.population.agents;
    expect(r.last('legitimacy_mean')).toBeCloseTo(sumL / n, 10);
    expect(r.last('grievance_mean')).toBeCloseTo(sumGrievance / n, 10);
    expect(r.last('legitimacy_mean', 'group=minority')).toBeCloseTo(sumMinorityL / minority, 10);
  });
});

describe("the fast day's tick-0 tally (from its sums) and the reference's (a pass)", () => {
  it('agree: counts exactly, means within the re-coding of legitimacy', async () => {
    const withInformantsAndGrid = fullFeatured(6_000, 250_000);
    const fast = await run(withInformantsAndGrid, 1, 4);
    const reference = await run(withInformantsAndGrid, 1, 4, undefined, regimeReferenceModel);
    for (const m of ['population', 'adults', 'quiet', 'active', 'informants', 'observers', 'score_mean']) {
      for (const key of ['', 'group=minority', 'region=west']) {
        expect(fast.at(m, 0, key), `${m} ${key}`).toBeCloseTo(reference.at(m, 0, key), 9);
      }
    }
    expect(fast.at('informants', 0)).toBeGreaterThan(0);
    for (const m of ['legitimacy_mean', 'grievance_mean']) {
      expect(Math.abs(fast.at(m, 0) - reference.at(m, 0)), m).toBeLessThan(1.5 / 65535);
    }
  });
});
