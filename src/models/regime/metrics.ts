/**
 * The regime model's metric catalogue. Every metric is reported for the whole
 * population (key ''), for each group (key `group=NAME`) and for each region
 * (`region=NAME`); systems add to all three slots at once with `add`.
 *
 * Flows are counts of events on the day; stocks are counts of agents in a state at the
 * end of the day. Harms and stability measures sit side by side (DESIGN.md §4).
 */
import type { MetricSpec } from '../../engine/model.js';

interface MetricName {
  readonly name: string;
  readonly description: string;
  readonly kind: 'stock' | 'flow' | 'mean';
  readonly side: 'state' | 'stability' | 'harm' | 'surveillance' | 'expression';
}

const m = (name: string, kind: MetricName['kind'], side: MetricName['side'], description: string): MetricName => ({
  name,
  kind,
  side,
  description,
});

export const METRIC_NAMES: readonly MetricName[] = [
  // states (stocks)
  m('population', 'stock', 'state', 'residents'),
  m('adults', 'stock', 'state', 'adult residents'),
  m('quiet', 'stock', 'state', 'adults neither protesting nor detained'),
  m('active', 'stock', 'stability', 'adults protesting (Epstein active)'),
  m('detained', 'stock', 'harm', 'adults in detention (reactive or pre-emptive)'),
  m(
    'detained_wrongly',
    'stock',
    'harm',
    'adults detained who did not act: false attribution or a false pre-emptive call',
  ),
  m('blacklisted', 'stock', 'harm', 'residents on the blacklist'),
  m('redlisted', 'stock', 'state', 'residents on the redlist'),
  m('informants', 'stock', 'surveillance', 'residents acting as informants'),
  m('observers', 'stock', 'surveillance', 'gig workers recruited as mobile observers'),
  m('accounts_closed', 'stock', 'expression', 'residents whose platform account is closed'),
  m('in_default', 'stock', 'state', 'adults in debt default'),
  m('legitimacy_mean', 'mean', 'stability', 'mean perceived legitimacy'),
  m('grievance_mean', 'mean', 'stability', 'mean grievance H(1 − L)'),
  // behaviour (flows)
  m('infractions', 'flow', 'state', 'minor infractions committed'),
  m('infractions_deterred', 'flow', 'expression', 'infractions not committed because of perceived detection'),
  m('defaults', 'flow', 'state', 'new debt defaults'),
  m('repayments', 'flow', 'state', 'defaults repaid'),
  m('civic', 'flow', 'state', 'civic contributions'),
  m('posts_desired', 'flow', 'expression', 'critical posts residents wanted to write'),
  m('posts_expressed', 'flow', 'expression', 'critical posts actually written'),
  m('would_act', 'flow', 'stability', 'adults whose protest rule says act today (detained pre-emptively included)'),
  // detection per channel (flows)
  m('detected_police', 'flow', 'surveillance', 'acts detected by police presence'),
  m('detected_camera', 'flow', 'surveillance', 'acts detected by cameras and face recognition'),
  m('detected_tracking', 'flow', 'surveillance', 'protest attendances detected by phone / IoT tracking'),
  m('detected_grid', 'flow', 'surveillance', 'acts detected by grid workers'),
  m('detected_observer', 'flow', 'surveillance', 'acts detected by gig-worker observers'),
  m('detected_informant', 'flow', 'surveillance', 'acts reported truthfully by informants'),
  m('detected_centre', 'flow', 'surveillance', 'acts noticed by party service centres'),
  m('detected_platform', 'flow', 'surveillance', 'critical posts detected and deleted'),
  m('detected_records', 'flow', 'surveillance', 'defaults reaching integrated records'),
  m('false_camera', 'flow', 'harm', 'acts wrongly attributed by face-recognition false matches'),
  m('false_informant', 'flow', 'harm', 'acts wrongly attributed by false informant reports'),
  // reports and abuse
  m('reports_true', 'flow', 'surveillance', 'informant reports of real acts'),
  m('reports_false', 'flow', 'harm', 'informant reports of acts that did not happen (mistaken)'),
  m('reports_malicious', 'flow', 'harm', 'malicious false reports (including extortion reprisals)'),
  m('extortion_demands', 'flow', 'harm', 'informant demands for payment'),
  m('extortion_paid', 'flow', 'harm', 'demands paid'),
  // enforcement
  m('detentions_reactive', 'flow', 'harm', 'arrests of detected protesters'),
  m('detentions_reactive_false', 'flow', 'harm', 'arrests of people who did not protest (false attribution)'),
  m('detentions_preemptive', 'flow', 'harm', 'pre-emptive detentions or interviews by predictive policing'),
  m('preemptive_true', 'flow', 'stability', 'pre-emptive detentions of people who would have acted'),
  m('preemptive_false', 'flow', 'harm', 'pre-emptive detentions of people who would not have acted'),
  m('accounts_closed_new', 'flow', 'expression', 'accounts closed today'),
  m('reregistration_blocked', 'flow', 'expression', 'posts lost because re-registration is barred'),
  // lists, sanctions, family
  m('blacklist_entries', 'flow', 'harm', 'new blacklistings'),
  m('blacklist_exits', 'flow', 'state', 'removals from the blacklist'),
  m('redlist_entries', 'flow', 'state', 'new redlistings'),
  m('wrongful_listing_days', 'stock', 'harm', 'residents listed because of false attributions (a day each)'),
  m('blocked_flight', 'flow', 'harm', 'flight purchases blocked'),
  m('blocked_train', 'flow', 'harm', 'high-speed train purchases blocked'),
  m('blocked_hotel', 'flow', 'harm', 'luxury hotel bookings blocked'),
  m('blocked_property', 'flow', 'harm', 'property purchases blocked'),
  m('blocked_job', 'flow', 'harm', 'job applications blocked'),
  m('blocked_schooling', 'flow', 'harm', 'school applications of children of listed parents blocked'),
  m('family_affected', 'stock', 'harm', 'residents not listed themselves living with a listed person'),
  m('children_barred', 'stock', 'harm', 'children barred from schools by a parent’s listing'),
  m('appeals_filed', 'flow', 'state', 'appeals filed'),
  m('appeals_granted', 'flow', 'state', 'appeals granted (listing removed, points restored)'),
  m('score_mean', 'mean', 'state', 'mean credit score of adults'),
];

/** Metrics derived at the end of each tick from cumulative harms (group rate ÷ reference-group rate). */
export const DISPARITY_HARMS = [
  'detentions_reactive',
  'detentions_preemptive',
  'preemptive_false',
  'blacklist_entries',
  'false_camera',
  'false_informant',
  'reports_malicious',
] as const;

export class MetricTable {
  readonly specs: MetricSpec[] = [];
  /** Slots per broken-down metric: overall, then groups, then regions. */
  readonly stride: number;
  private readonly bases = new Map<string, number>();
  readonly gradeBase: number;
  readonly disparityBase: number;
  /** Internal: detected protesters per region, risk histogram per region × bin. */
  readonly detectedBase: number;
  readonly riskHistBase: number;

  constructor(
    names: readonly MetricName[],
    readonly groupNames: readonly string[],
    readonly regionNames: readonly string[],
    readonly grades: readonly string[],
    regions: number,
    bins: number,
  ) {
    this.stride = 1 + groupNames.length + regionNames.length;
    for (const metric of names) {
      this.bases.set(metric.name, this.specs.length);
      const description = `${metric.description} [${metric.kind}, ${metric.side}]`;
      this.push(metric.name, '', description);
      for (const g of groupNames) this.push(metric.name, `group=${g}`, description);
      for (const r of regionNames) this.push(metric.name, `region=${r}`, description);
    }
    this.gradeBase = this.specs.length;
    for (const grade of grades)
      this.push('score_grade', `grade=${grade}`, 'adults whose score falls in this grade band [stock, state]');
    this.disparityBase = this.specs.length;
    for (const harm of DISPARITY_HARMS) {
      for (const g of groupNames) {
        this.push(
          `disparity_${harm}`,
          `group=${g}`,
          `cumulative ${harm} per adult member ÷ the reference group's [ratio, harm]`,
        );
      }
    }
    this.detectedBase = this.specs.length;
    for (let r = 0; r < regions; r++)
      this.push('_detected_protesters', `region=${regionNames[r]}`, 'working value', true);
    this.riskHistBase = this.specs.length;
    for (let r = 0; r < regions; r++) {
      for (let b = 0; b < bins; b++)
        this.push('_risk_hist', `region=${regionNames[r]};bin=${b}`, 'working value', true);
    }
  }

  private push(name: string, key: string, description: string, internal = false): void {
    this.specs.push({ name, key, reduce: 'sum', description, ...(internal ? { internal: true } : {}) });
  }

  /** Index of a broken-down metric's overall slot. */
  base(name: string): number {
    const b = this.bases.get(name);
    if (b === undefined) throw new Error(`unknown regime metric "${name}"`);
    return b;
  }

  /** Add v to the overall, group g and region r slots of the metric at `base`. */
  add(acc: Float64Array, base: number, g: number, r: number, v: number): void {
    acc[base] += v;
    acc[base + 1 + g] += v;
    acc[base + 1 + this.groupNames.length + r] += v;
  }
}
