/**
 * Informant abuse: an informant threatens a neighbour with a report unless paid. A
 * target who pays loses money (hardship rises); one who refuses is reported anyway, a
 * malicious false report.
 */
import type { ShardContext } from '../../engine/model.js';
import type { CounterRng } from '../../engine/rng.js';
import { fileFalseReport } from './informants.js';
import { F, GROUP_MASK } from './bits.js';
import { regimeLayout } from './layout.js';
import type { RegimeParams } from './params.js';
import { U8 } from './population.js';
import { z } from 'zod';
import { metric, type Mechanism } from './mechanism.js';
import { nonNegative, rate, share } from './units.js';

export const abuseParams = z
  .object({
    enabled: z.boolean().default(false),
    extortionRate: rate.default(0.0005).describe('daily probability an informant demands payment from a neighbour'),
    payShare: share.default(0.6).describe('share of extortion targets who pay; the rest are reported'),
    paymentHardship: nonNegative.max(0.5).default(0.02).describe('hardship added to a target who pays'),
  })
  .strict()
  .prefault({});

export const abuse: Mechanism = {
  key: 'abuse',
  title: 'informant abuse: extortion under threat of a report',
  role: { changes: 'a target who pays loses money (hardship rises); one who refuses is reported falsely' },
  enabled: (p) => p.abuse.enabled,
  metrics: [
    metric('extortion_demands', 'flow', 'harm', 'informant demands for payment'),
    metric('extortion_paid', 'flow', 'harm', 'demands paid'),
  ],
};

export type ExtortionOutcome = 'none' | 'paid' | 'reported';

/**
 * One informant's extortion attempt today; `rng` is the informant's keyed stream. The
 * target of a report is added to `reported`.
 */
export function extortion(
  ctx: ShardContext<RegimeParams>,
  informant: number,
  cellStart: number,
  residents: number,
  region: number,
  rng: CounterRng,
  reported: number[],
): ExtortionOutcome {
  const p = ctx.params;
  if (!p.abuse.enabled || rng.uniform() >= p.abuse.extortionRate) return 'none';
  const target = cellStart + rng.below(residents);
  const { flags, group, hardship, events } = ctx.columns;
  if (target === informant || flags[target] & (F.CHILD | F.DETAINED)) return 'none';
  const layout = regimeLayout(p);
  const mt = layout.metricTable;
  const g = group[target] & GROUP_MASK;
  const r = region;
  mt.add(ctx.acc, mt.base('extortion_demands'), g, r, 1);
  if (rng.uniform() < p.abuse.payShare) {
    hardship[target] = Math.min(U8, hardship[target] + Math.round(p.abuse.paymentHardship * U8));
    mt.add(ctx.acc, mt.base('extortion_paid'), g, r, 1);
    return 'paid';
  }
  const attributed = fileFalseReport(events, target);
  reported.push(target);
  mt.add(ctx.acc, mt.base('reports_malicious'), g, r, 1);
  if (attributed) mt.add(ctx.acc, mt.base('false_informant'), g, r, 1);
  return 'reported';
}
