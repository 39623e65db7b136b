/**
 * The regime model: the surveillance and social-credit system documented in reporting
 * and research on China, acting on a synthetic population (docs/odd/regime.md).
 *
 * One tick is one day. Updates are synchronous: decisions read yesterday's state, and
 * the phases below run in this order every day.
 */
import type { ModelDefinition } from '../../engine/model.js';
import { behave } from './behaviour.js';
import { detect } from './detection.js';
import { enforce } from './enforcement.js';
import { regimeLayout } from './layout.js';
import { regimeParams, type RegimeParams } from './params.js';
import { arrestRatios } from './police.js';
import { census, synthesize } from './population.js';
import { riskHistogram, riskThreshold } from './predictive.js';
import { disparity, tallyInit, tallyStep } from './tally.js';

export const regimeModel: ModelDefinition<RegimeParams> = {
  name: 'regime',
  streams: ['synthesize', 'synthesize-cell', 'risk', 'admit', 'behave', 'detect', 'informant', 'enforce', 'schooling'],
  layout: regimeLayout,
  init: [
    { kind: 'shard', name: 'synthesize', run: synthesize },
    { kind: 'global', name: 'census', run: census },
    { kind: 'shard', name: 'tally', run: tallyInit },
  ],
  step: [
    { kind: 'shard', name: 'predictive-risk', run: riskHistogram },
    { kind: 'global', name: 'predictive-threshold', run: riskThreshold },
    { kind: 'shard', name: 'behave', run: behave },
    { kind: 'shard', name: 'detect', run: detect },
    { kind: 'global', name: 'arrest-capacity', run: arrestRatios },
    { kind: 'shard', name: 'enforce', run: enforce },
    { kind: 'shard', name: 'tally', run: tallyStep },
    { kind: 'global', name: 'disparity', run: disparity },
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
