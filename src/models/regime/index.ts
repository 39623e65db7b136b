/**
 * The regime model: the surveillance and social-credit system documented in reporting
 * and research on China, acting on a synthetic population (docs/odd/regime.md).
 *
 * One tick is one day. Updates are synchronous: decisions read yesterday's state, and
 * the phases below run in this order every day.
 */
import type { ModelDefinition, System } from '../../engine/model.js';
import type { GlobalPhase } from './mechanism.js';
import { mechanisms } from './mechanisms.js';
import { act } from './fast/act.js';
import { decideFirstDay } from './fast/decide.js';
import { settle } from './fast/settle.js';
import { regimeLayout } from './layout.js';
import { regimeParams, type RegimeParams } from './params.js';
import { census, synthesize } from './population.js';
import { riskHistogram, riskThreshold } from './predictive.js';
import { behave, detect, enforce } from './reference.js';
import { disparity, scoreBase, tallyInit, tallyStep } from './tally.js';

const synthesis: ModelDefinition<RegimeParams>['init'] = [
  { kind: 'shard', name: 'synthesize', run: synthesize },
  { kind: 'global', name: 'census', run: census },
];
// Disparity at tick 0 reads NaN (nobody harmed yet), as on any day with no harm.
const initialDisparity = { kind: 'global', name: 'disparity', run: disparity } as const;
const initialScoreBase = { kind: 'global', name: 'score-base', run: scoreBase } as const;

const streams = [
  'synthesize',
  'synthesize-cell',
  'risk',
  'admit',
  'behave',
  'act-cell',
  'settle-cell',
  'detect',
  'informant',
  'enforce',
  'schooling',
  'detect-cell',
  'aware',
];

// Phases both implementations share: predictive policing before the day, the police's
// arrest capacity between the day's records and enforcement, disparity at its end.
const predictivePhases: ModelDefinition<RegimeParams>['step'] = [
  { kind: 'shard', name: 'predictive-risk', run: riskHistogram },
  { kind: 'global', name: 'predictive-threshold', run: riskThreshold },
];
const disparityPhase = { kind: 'global', name: 'disparity', run: disparity } as const;
const scoreBasePhase = { kind: 'global', name: 'score-base', run: scoreBase } as const;
/** The mechanisms' global steps at one point of the day (mechanism.ts `GlobalPhase`), in registry order. */
const phasesAt = (at: GlobalPhase['at']): System<RegimeParams>[] =>
  mechanisms().flatMap((m) =>
    (m.phases ?? []).filter((x) => x.at === at).map((x) => ({ kind: 'global', name: x.name, run: x.run }) as const),
  );
const detected = phasesAt('detected');
const dusk = [disparityPhase, ...phasesAt('dusk'), scoreBasePhase];

/**
 * The model as it runs by default: the fast day (fast/act.ts, fast/settle.ts), whose work
 * grows with what happens rather than with who lives there.
 */
export const regimeModel: ModelDefinition<RegimeParams> = {
  name: 'regime',
  streams,
  layout: regimeLayout,
  // The fast day's init tallies tick 0 from the sums it sets up (fast/decide.ts).
  init: [...synthesis, { kind: 'shard', name: 'decide', run: decideFirstDay }, initialDisparity, initialScoreBase],
  step: [
    ...predictivePhases,
    { kind: 'shard', name: 'act', run: act },
    ...detected,
    { kind: 'shard', name: 'settle', run: settle },
    ...dusk,
  ],
};

/**
 * The reference implementation: the same rules, written straight — every system visits
 * every resident every day with its own draws. For small populations and for docking the
 * fast day against (test/regime-docking.test.ts); same parameters and metrics.
 */
export const regimeReferenceModel: ModelDefinition<RegimeParams> = {
  name: 'regime-reference',
  streams,
  layout: regimeLayout,
  init: [...synthesis, { kind: 'shard', name: 'tally', run: tallyInit }, initialDisparity, initialScoreBase],
  step: [
    ...predictivePhases,
    { kind: 'shard', name: 'behave', run: behave },
    { kind: 'shard', name: 'detect', run: detect },
    ...detected,
    { kind: 'shard', name: 'enforce', run: enforce },
    { kind: 'shard', name: 'tally', run: tallyStep },
    ...dusk,
  ],
};

export { regimeParams };
export type { RegimeParams };

export const regimeHeadline = [
  'active',
  'legitimacy_mean',
  'detained',
  'detentions_preemptive',
  'preemptive_false',
  'blacklisted',
  'wrongful_listing_days',
  'posts_expressed',
  'posts_desired',
  'false_camera',
  'reports_malicious',
  'blocked_flight',
  'blocked_train',
  'family_affected',
];

/** `panopticon compare`: what the regime buys in stability beside what it costs in harm. */
export const regimeComparison = {
  stability: [
    { metric: 'active', stat: 'mean', label: 'protesters (mean per day)' },
    { metric: 'active', stat: 'max', label: 'protesters (peak)' },
    { metric: 'would_act', stat: 'total', label: 'protest intentions (person-days)' },
    { metric: 'legitimacy_mean', stat: 'final', label: 'legitimacy (final mean)' },
    { metric: 'grievance_mean', stat: 'final', label: 'grievance (final mean)' },
    { metric: 'posts_desired', stat: 'total', label: 'critical posts wanted' },
    { metric: 'posts_expressed', stat: 'total', label: 'critical posts written' },
    { metric: 'infractions', stat: 'total', label: 'minor infractions' },
    { metric: 'infractions_deterred', stat: 'total', label: 'infractions deterred' },
  ],
  harm: [
    { metric: 'detentions_reactive', stat: 'total', label: 'arrests' },
    { metric: 'detentions_reactive_false', stat: 'total', label: 'arrests of people who did not protest' },
    { metric: 'detentions_preemptive', stat: 'total', label: 'pre-emptive detentions' },
    { metric: 'preemptive_false', stat: 'total', label: 'pre-emptive detentions of people who would not act' },
    { metric: 'detained_wrongly', stat: 'mean', label: 'wrongly detained (mean per day)' },
    { metric: 'blacklist_entries', stat: 'total', label: 'blacklistings' },
    { metric: 'wrongful_listing_days', stat: 'total', label: 'wrongful listing (person-days)' },
    { metric: 'blocked_flight', stat: 'total', label: 'flights blocked' },
    { metric: 'blocked_train', stat: 'total', label: 'train tickets blocked' },
    { metric: 'blocked_schooling', stat: 'total', label: 'school applications blocked' },
    { metric: 'family_affected', stat: 'final', label: 'family members of listed people (final)' },
    { metric: 'false_camera', stat: 'total', label: 'face-recognition false matches' },
    { metric: 'reports_malicious', stat: 'total', label: 'malicious reports' },
    { metric: 'extortion_paid', stat: 'total', label: 'extortion payments' },
    { metric: 'accounts_closed', stat: 'final', label: 'accounts closed (final)' },
  ],
} as const;
