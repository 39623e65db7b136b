/**
 * An experiment's report: figures from the experiment plan, tables of the analysis, and a
 * paragraph that states each difference with its 95 % interval and says plainly when the
 * replicates do not resolve one.
 */
import { fmt, listWords } from '../format.js';
import { experimentFigures, keyOutputs, outputLabel, type ExperimentData } from '../plans/experiment.js';
import { planFor } from '../plans/models.js';
import type { ReportDocument, ReportTable } from './html.js';
import type { ExperimentProvenance, GeneratorInfo } from './provenance.js';

const signed = (v: number | null, unit = '') =>
  v === null ? 'n/a' : `${v > 0 ? '+' : v < 0 ? '−' : ''}${fmt(Math.abs(v))}${unit}`;
const ci = (low: number | null, high: number | null, unit = '') =>
  `95 % CI ${signed(low, unit)} to ${signed(high, unit)}`;

/** One difference in words, never firmer than its interval. */
function differenceWords(e: ExperimentData, arm: string, output: string): string | null {
  const p = e.paired.find((x) => x.point === 0 && x.arm === arm && x.output === output);
  if (!p || p.mean === null) return null;
  const label = outputLabel(e, output);
  if (p.mean === 0 && p.low === 0 && p.high === 0) return `${label} identical in every replicate`;
  const ref = e.summary.find((s) => s.point === 0 && s.arm === e.reference && s.output === output)?.mean ?? null;
  const metric = e.outputs.find((o) => o.name === output)?.metric ?? output;
  const relative = ref !== null && ref !== 0 && !planFor(e.model).isLevel(metric);
  const scale = (v: number | null) => (v === null || !relative ? v : (100 * v) / Math.abs(ref!));
  const unit = relative ? ' %' : '';
  const resolved = p.low !== null && p.high !== null && (p.low > 0 || p.high < 0);
  if (!resolved) return `${label}: no difference the replicates resolve (${ci(scale(p.low), scale(p.high), unit)})`;
  const zero = ref === 0 ? ` (${e.reference}: none)` : '';
  return `${label} ${signed(scale(p.mean), unit)}${zero} (${ci(scale(p.low), scale(p.high), unit)})`;
}

export function experimentParagraph(e: ExperimentData, prov: ExperimentProvenance): string {
  const reps = Math.min(...e.summary.map((s) => s.n));
  const design =
    e.design === 'base'
      ? `${e.arms.length} arms`
      : `a ${e.design} design of ${fmt(e.points)} points over ${listWords(e.factors.map((f) => f.name))}${e.arms.length > 1 ? `, ${e.arms.length} arms` : ''}`;
  const parts = [
    `Experiment ${e.id}: ${design}, ${reps} replicate${reps === 1 ? '' : 's'} per point and arm on common random numbers (replicate r runs with seed ${prov.seed} + r everywhere), ${fmt(prov.steps)} steps each.`,
  ];
  const outputs = keyOutputs(e).slice(0, 4);
  if (e.points === 1)
    for (const arm of e.arms.filter((a) => a !== e.reference)) {
      const words = outputs.map((o) => differenceWords(e, arm, o.name)).filter((w): w is string => w !== null);
      if (words.length) parts.push(`Arm ${arm} against ${e.reference}: ${listWords(words)}.`);
    }
  for (const o of outputs.slice(0, 2)) {
    const m = e.morris.filter(
      (x) => x.output === o.name && x.arm === e.reference && x.reference === null && x.muStar !== null,
    );
    if (m.length >= 2) {
      const [a, b] = [...m].sort((x, y) => y.muStar! - x.muStar!);
      const overlap = a.muStarLow !== null && b.muStarHigh !== null && a.muStarLow <= b.muStarHigh;
      parts.push(
        `Morris screening, ${outputLabel(e, o.name)}: ${a.factor} has the largest μ* (${fmt(a.muStar)}, 95 % interval ${fmt(a.muStarLow)} to ${fmt(a.muStarHigh)})${overlap ? `, but its interval overlaps ${b.factor}'s (${fmt(b.muStar)}, ${fmt(b.muStarLow)} to ${fmt(b.muStarHigh)}), so their order is not settled` : `, ahead of ${b.factor} (${fmt(b.muStar)})`}.`,
      );
    }
    const s = e.sobol.filter(
      (x) => x.output === o.name && x.arm === e.reference && x.reference === null && x.st !== null,
    );
    if (s.length >= 2) {
      const [a, b] = [...s].sort((x, y) => y.st! - x.st!);
      const overlap = a.stLow !== null && b.stHigh !== null && a.stLow <= b.stHigh;
      parts.push(
        `Sobol indices, ${outputLabel(e, o.name)}: ${a.factor} has the largest total index (ST ${fmt(a.st)}, 95 % interval ${fmt(a.stLow)} to ${fmt(a.stHigh)})${overlap ? `, but its interval overlaps ${b.factor}'s, so the ranking is not settled at N = ${a.n}` : `, then ${b.factor} (${fmt(b.st)})`}.`,
      );
    }
  }
  if (e.design === 'grid' && e.factors.length)
    for (const o of outputs.slice(0, 1)) {
      const rows = e.summary.filter((x) => x.output === o.name && x.arm === e.reference && x.mean !== null);
      if (rows.length < 2) continue;
      const lo = rows.reduce((a, b) => (b.mean! < a.mean! ? b : a));
      const hi = rows.reduce((a, b) => (b.mean! > a.mean! ? b : a));
      const at = (point: number) =>
        e.factors
          .map(
            (f) =>
              `${f.name} ${fmt(Number(e.pointValues.find((v) => v.point === point && v.factor === f.name)?.value))}`,
          )
          .join(', ');
      const overlap = lo.high !== null && hi.low !== null && lo.high >= hi.low;
      parts.push(
        `Over the grid, ${outputLabel(e, o.name)} ranges from ${fmt(lo.mean)} (95 % CI ${fmt(lo.low)} to ${fmt(lo.high)}; at ${at(lo.point)}) to ${fmt(hi.mean)} (95 % CI ${fmt(hi.low)} to ${fmt(hi.high)}; at ${at(hi.point)})${overlap ? ', intervals that overlap' : ''}.`,
      );
    }
  parts.push(
    'Intervals describe the spread between seeds within the model (t intervals over replicates; bootstrap intervals for sensitivity indices), not doubt about the model itself, whose assumed parameters are listed under Provenance.',
  );
  return parts.join(' ');
}

function tables(e: ExperimentData): ReportTable[] {
  const out: ReportTable[] = [];
  const cell = (mean: number | null, low: number | null, high: number | null) =>
    `${fmt(mean)} [${fmt(low)}, ${fmt(high)}]`;
  if (e.points === 1) {
    out.push({
      caption: 'Outputs by arm: mean over replicates [95 % CI]',
      header: ['output', ...e.arms],
      numeric: [false, ...e.arms.map(() => true)],
      rows: e.outputs.map((o) => [
        outputLabel(e, o.name),
        ...e.arms.map((a) => {
          const s = e.summary.find((x) => x.point === 0 && x.arm === a && x.output === o.name);
          return s ? cell(s.mean, s.low, s.high) : '—';
        }),
      ]),
    });
    if (e.arms.length > 1)
      out.push({
        caption: `Paired differences from ${e.reference} (common random numbers): mean [95 % CI], and Vargha–Delaney A (0.5: no tendency; 1: the arm is always higher)`,
        header: ['output', 'arm', 'replicates', `arm − ${e.reference}`, 'A'],
        numeric: [false, false, true, true, true],
        rows: e.paired
          .filter((p) => p.point === 0)
          .map((p) => [outputLabel(e, p.output), p.arm, fmt(p.n), cell(p.mean, p.low, p.high), fmt(p.a)]),
      });
  } else if (e.points <= 30) {
    const factorValue = (p: number, f: string) => {
      const v = e.pointValues.find((x) => x.point === p && x.factor === f)?.value;
      return typeof v === 'number' ? fmt(v) : String(v ?? '—');
    };
    out.push({
      caption: 'Every output at each design point: mean over replicates [95 % CI]',
      header: ['output', 'point', ...e.factors.map((f) => f.name), ...e.arms],
      numeric: [false, true, ...e.factors.map(() => true), ...e.arms.map(() => true)],
      rows: e.outputs.flatMap((o) =>
        Array.from({ length: e.points }, (_, p) => [
          outputLabel(e, o.name),
          String(p),
          ...e.factors.map((f) => factorValue(p, f.name)),
          ...e.arms.map((a) => {
            const s = e.summary.find((x) => x.point === p && x.arm === a && x.output === o.name);
            return s ? cell(s.mean, s.low, s.high) : '—';
          }),
        ]),
      ),
    });
  }
  if (e.morris.length)
    out.push({
      caption: 'Morris indices (μ* with its 95 % bootstrap interval; μ keeps the sign; σ: spread of the effects)',
      header: ['output', 'arm', 'factor', 'μ* [95 %]', 'μ', 'σ', 'r'],
      numeric: [false, false, false, true, true, true, true],
      rows: e.morris
        .filter((m) => m.reference === null)
        .map((m) => [
          outputLabel(e, m.output),
          m.arm,
          m.factor,
          cell(m.muStar, m.muStarLow, m.muStarHigh),
          fmt(m.mu),
          fmt(m.sigma),
          fmt(m.r),
        ]),
    });
  if (e.sobol.length)
    out.push({
      caption: 'Sobol indices (first-order S1 and total ST, each with its 95 % bootstrap interval)',
      header: ['output', 'arm', 'factor', 'S1 [95 %]', 'ST [95 %]', 'N'],
      numeric: [false, false, false, true, true, true],
      rows: e.sobol
        .filter((m) => m.reference === null)
        .map((m) => [
          outputLabel(e, m.output),
          m.arm,
          m.factor,
          cell(m.s1, m.s1Low, m.s1High),
          cell(m.st, m.stLow, m.stHigh),
          fmt(m.n),
        ]),
    });
  return out;
}

export function experimentReport(
  e: ExperimentData,
  prov: ExperimentProvenance,
  generator: GeneratorInfo,
): ReportDocument {
  const set = experimentFigures(e);
  return {
    title: `Panopticon experiment: ${e.id}`,
    subtitle: `${prov.description ? `${prov.description} · ` : ''}design ${e.design} · ${fmt(e.points)} point${e.points === 1 ? '' : 's'} · arms ${e.arms.join(', ')} · model ${e.model} · ${prov.status}`,
    paragraphs: [experimentParagraph(e, prov)],
    figures: set.figures,
    skipped: set.skipped,
    tables: tables(e),
    runs: [],
    experiment: prov,
    generator,
  };
}
