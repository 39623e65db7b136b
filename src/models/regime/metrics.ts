/**
 * The regime model's metric catalogue. Every metric is reported for the whole
 * population (key ''), for each group (key `group=NAME`) and for each region
 * (`region=NAME`); systems add to all three slots at once with `add`.
 *
 * Flows are counts of events on the day; stocks are counts of agents in a state at the
 * end of the day. Harms and stability measures sit side by side (DESIGN.md §4).
 */
import type { MetricSpec } from '../../engine/model.js';
import type { DerivedMetric, MetricName } from './mechanism.js';

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
  private readonly derivedBases = new Map<string, number>();
  /** Internal: detected protesters per region, risk histogram per region × bin. */
  readonly detectedBase: number;
  readonly riskHistBase: number;

  constructor(
    names: readonly MetricName[],
    derived: readonly DerivedMetric[],
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
    for (const d of derived) {
      this.derivedBases.set(d.name, this.specs.length);
      for (const key of d.by === 'group' ? groupNames : regionNames)
        this.push(d.name, `${d.by}=${key}`, `${d.description} [derived, by ${d.by}]`);
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

  /** Index of a derived metric's first slot (its group or region 0). */
  derivedBase(name: string): number {
    const b = this.derivedBases.get(name);
    if (b === undefined) throw new Error(`unknown derived regime metric "${name}"`);
    return b;
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
