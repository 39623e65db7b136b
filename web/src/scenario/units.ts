/**
 * The unit of each numeric parameter, as the explorer shows it beside the control. The
 * schemas state units in their descriptions ("daily probability …", "days of …", "per
 * 1,000 residents"); these rules read them off the key and the description, and a test
 * checks that every numeric parameter of every model the page offers gets one.
 */

const rules: readonly (readonly [RegExp, RegExp | null, string])[] = [
  // [key pattern, description pattern (null: any), unit]
  [/PerThousand$/, null, 'per 1,000 residents'],
  [/^policePer100k$/, null, 'per 100,000 residents'],
  [/Per100k$/, null, 'per 100,000 residents per day'],
  [/^coveragePerCamera$/, null, 'share of space per camera per 1,000'],
  [/^(visibleLoss|wrongfulLoss)$/, null, 'share of legitimacy a day per sanction remembered per 1,000'],
  [/^groupLoss$/, null, 'share of legitimacy a day per 1,000 held in excess'],
  [
    /^(injusticeLoss|householdLoss|arbitrarinessLoss|substitutionLoss|householdLegitimacyLoss)$/,
    null,
    'share of legitimacy',
  ],
  [/^severityElasticity$/, null, 'elasticity (no unit)'],
  [/^redlistGain$/, null, 'share of legitimacy a day'],
  [/^(civicResponse|repaymentBoost)$/, null, 'relative increase (× rate)'],
  [/^(recruitmentPerPoint)$/, null, 'probability per day per point'],
  [/^(priorWeight)$/, null, 'acts'],
  [/^(mobilization)$/, null, 'protesters per call'],
  [/^(prior)$/, null, 'detections per cell'],
  [/PerOfficerPerDay$/, null, 'arrests per officer per day'],
  [/PerCell$/, null, 'per cell'],
  [/Days$|Delay$|^detentionDays$/, null, 'days'],
  [/^restorationPerDay$/, null, 'points per day'],
  [/./, /^daily probability/, 'probability per day'],
  [/./, /^daily legitimacy|^daily drift/, 'legitimacy per day'],
  [/./, /^probability/, 'probability'],
  [/./, /^share of/, 'share (0–1)'],
  [/^(penetration|.*Share|.*Coverage|.*Penetration|childShare|share)$/, null, 'share (0–1)'],
  [/./, /^points|points an informant|^starting points/, 'points'],
  [/^(min|blacklistBelowScore|redlistAtScore)$/, null, 'points'],
  [/^agents$/, null, 'residents'],
  [/^cellSize$/, null, 'residents per cell'],
  [/^agentsPerShard$/, null, 'agents per shard'],
  [/^cellsPerObserver$/, null, 'cells'],
  [/^strikesToClose$/, null, 'detected posts'],
  [/^householdSizes$/, null, 'probability'],
  [/^hardshipShift$|^welfareLoss$|^paymentHardship$/, null, 'hardship (0–1 scale)'],
  [/^recognitionErrorMultiplier$/, null, '× base false-match rate'],
  [/Legitimacy|Loss$|^legitimacy(Spread)?$|^to$/, null, 'legitimacy (0–1)'],
  [/^threshold$/, null, 'grievance (0–1)'],
  [/^(arrestConstant|k)$/, null, 'constant (no unit)'],
  [/Weight$|^bias$|^noise$/, null, 'risk score units'],
  [/^visibility$/, null, 'enforcers per officer'],
  [/^sanctionFear$/, null, 'enforcers per sanction per 1,000'],
  [/^detentionsSeen$/, null, 'share seen (0–1)'],
  [/^learning$/, null, 'share per block met (0–1)'],
  [/^householdPerception$/, null, 'probability'],
  [/^falsification$/, null, 'weight (0–1)'],
  [/^sampleEvery$/, null, 'residents (every n-th)'],
  [/^deterrence$|^chilling$/, null, 'strength (0–1)'],
  [/^sanctionMemory$/, null, 'share per day (0–1)'],
  [/^(width|height)$/, null, 'cells'],
  [/Density$/, null, 'share of cells'],
  [/[vV]ision$/, null, 'cells (radius)'],
  [/^(maxJailTerm|maxAge|at|start)$/, null, 'ticks'],
  [/^perTick$/, null, 'legitimacy per tick'],
  [/^cloneProbability$/, null, 'probability per tick'],
];

/** The unit of the parameter at `path` (dotted; list items' paths without their index). */
export function unitOf(path: string, description: string): string {
  const key = path.slice(path.lastIndexOf('.') + 1);
  for (const [keyRule, descriptionRule, unit] of rules) {
    if (keyRule.test(key) && (descriptionRule === null || descriptionRule.test(description))) return unit;
  }
  return '';
}
