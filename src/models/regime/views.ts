/**
 * What people say and what they think. A resident's private view of the regime is its
 * legitimacy L; asked directly, it says what it fears to be heard saying: its expressed view
 * is E = L + (1 − L)·f·s·R, with s the surveillance it perceives of speech and acts (the
 * larger of what it perceives of posts and of offline acts), R its risk aversion and f the
 * `falsification` weight. Chilling widens the gap: the more surveillance perceived, the more
 * the expressed view exceeds the private one.
 *
 * Measured the way a list experiment would be: every day a fixed sample of adults (every
 * `sampleEvery`-th resident) is asked; `support_direct` counts those whose expressed view is
 * at least one half, `support_private` those whose private view is — what a list
 * experiment estimates [RT19][CCS24]. Measurement of views does not change behaviour; the
 * private view is the legitimacy every other mechanism acts on.
 */
import { z } from 'zod';
import { metric, type Mechanism } from './mechanism.js';
import type { RegimeParams } from './params.js';
import { share } from './units.js';

export const viewsParams = z
  .object({
    enabled: z.boolean().default(false),
    falsification: share
      .default(1)
      .describe('weight of fear in what a resident says: expressed = L + (1 − L)·falsification·perceived·R'),
    sampleEvery: z.number().int().min(1).max(1_000_000).default(100).describe('every n-th resident is surveyed'),
  })
  .strict()
  .prefault({});

/** A view of at least this is support. */
export const SUPPORT = 0.5;

export const views: Mechanism = {
  key: 'views',
  title: 'private and expressed views of the regime, measured by a daily survey sample',
  role: { measurementOnly: 'the gap between what residents say and think; behaviour follows the private view' },
  enabled: (p) => p.views.enabled,
  metrics: [
    metric('survey_sample', 'stock', 'expression', 'adults surveyed today'),
    metric('support_private', 'stock', 'expression', 'surveyed adults who privately support the regime (L ≥ ½)'),
    metric('support_direct', 'stock', 'expression', 'surveyed adults who say they support it when asked directly'),
  ],
};

/** Whether resident i is in the survey sample. */
export function surveyed(p: RegimeParams, i: number): boolean {
  return p.views.enabled && i % p.views.sampleEvery === 0;
}

/** The expressed view of a resident with private view L, perceived surveillance s and risk aversion R. */
export function expressedView(p: RegimeParams, L: number, s: number, R: number): number {
  return L + (1 - L) * p.views.falsification * s * R;
}
