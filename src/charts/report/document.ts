/**
 * What goes into a report, from runs already loaded: figures, paragraph, tables and
 * provenance. Pure (no files, no store), so a browser can build the same report from runs
 * held in memory; `reportHtml` turns the document and its rendered SVGs into the page.
 */
import { fmt } from '../format.js';
import { compareFigures, compareTables, type CompareRun, type CompareSection } from '../plans/compare.js';
import { runFigures } from '../plans/run.js';
import type { RunSeries } from '../series.js';
import type { ReportDocument, ReportTable } from './html.js';
import { compareParagraph, runDates, runParagraph, type RunFacts } from './narrative.js';
import type { GeneratorInfo, RunProvenance } from './provenance.js';

export interface ReportRun {
  readonly provenance: RunProvenance;
  readonly series: RunSeries;
  readonly facts: RunFacts;
}

function baseLabel(r: ReportRun): string {
  return r.provenance.preset ?? r.provenance.name ?? r.provenance.model;
}

/** Labels that tell the runs apart: the preset, then the seed, then the run id when needed. */
export function runLabels(runs: readonly ReportRun[]): string[] {
  const base = runs.map(baseLabel);
  const withSeed = runs.map((r, i) =>
    base.filter((b) => b === base[i]).length > 1 ? `${base[i]}, seed ${r.provenance.seed}` : base[i],
  );
  return runs.map((r, i) =>
    withSeed.filter((b) => b === withSeed[i]).length > 1 ? `${withSeed[i]} (${r.provenance.runId})` : withSeed[i],
  );
}

export function runReport(
  run: ReportRun,
  sections: readonly CompareSection[],
  generator: GeneratorInfo,
): ReportDocument {
  const p = run.provenance;
  const label = runLabels([run])[0];
  const set = runFigures(p.model, run.series, {
    label: `${label}, seed ${p.seed}`,
    agents: p.agents,
    seed: p.seed,
    ...(run.facts.params ? { params: run.facts.params } : {}),
    ...(run.facts.headline ? { headline: run.facts.headline } : {}),
    ...(run.facts.start ? { start: run.facts.start } : {}),
  });
  const tables: ReportTable[] = sections.map((section) => ({
    caption: `End of run: ${section.title}`,
    header: ['measure', 'value'],
    numeric: [false, true],
    rows: section.rows
      .filter((row) => run.series.has(row.metric))
      .map((row) => [row.label, fmt(run.series.stat(row.metric, '', row.stat))]),
  }));
  return {
    title: `Panopticon report: ${label}`,
    subtitle: `Run ${p.runId} · model ${p.model} · ${fmt(p.agents)} agents · ${fmt(p.steps)} steps${run.facts.start ? ` ${runDates(run.facts)}` : ''} · seed ${p.seed} · ${p.status}`,
    paragraphs: [runParagraph(run.series, run.facts)],
    figures: set.figures,
    skipped: set.skipped,
    tables: tables.filter((t) => t.rows.length),
    runs: [p],
    generator,
  };
}

export function compareReport(
  runs: readonly ReportRun[],
  sections: readonly CompareSection[],
  generator: GeneratorInfo,
): ReportDocument {
  const labels = runLabels(runs);
  const letters = runs.map((_, i) => String.fromCharCode(65 + (i % 26)));
  const compared: CompareRun[] = runs.map((r, i) => ({
    letter: letters[i],
    model: r.provenance.model,
    series: r.series,
    ctx: {
      label: labels[i],
      agents: r.provenance.agents,
      seed: r.provenance.seed,
      ...(r.facts.params ? { params: r.facts.params } : {}),
      ...(r.facts.headline ? { headline: r.facts.headline } : {}),
      ...(r.facts.start ? { start: r.facts.start } : {}),
    },
  }));
  const set = compareFigures(compared, sections);
  const tables: ReportTable[] = compareTables(compared, sections).map((t) => ({
    caption: `${t.title[0].toUpperCase()}${t.title.slice(1)}: each run, and its difference from run A (${letters.map((l, i) => `${l} = ${labels[i]}`).join(', ')})`,
    header: ['measure', 'A', ...letters.slice(1).flatMap((l) => [l, `${l} − A`])],
    numeric: [false, true, ...letters.slice(1).flatMap(() => [true, true])],
    rows: t.rows.map((row) => [
      row.label,
      fmt(row.cells[0].value),
      ...row.cells.slice(1).flatMap((c) => {
        const sign = (v: number) => (v > 0 ? '+' : v < 0 ? '−' : '');
        const rel =
          c.ratio !== null && c.difference !== null
            ? ` (${sign(c.ratio - 1)}${fmt(Math.abs(100 * (c.ratio - 1)))} %)`
            : '';
        const diff = c.difference === null ? 'n/a' : `${sign(c.difference)}${fmt(Math.abs(c.difference))}${rel}`;
        return [fmt(c.value), diff];
      }),
    ]),
  }));
  return {
    title: `Panopticon comparison: ${labels.join(' · ')}`,
    subtitle: `${runs.length} runs: ${runs.map((r, i) => `${letters[i]} = ${r.provenance.runId}`).join(', ')} · model ${runs[0].provenance.model}`,
    paragraphs: [compareParagraph(compared)],
    figures: set.figures,
    skipped: set.skipped,
    tables,
    runs: runs.map((r, i) => ({ ...r.provenance, letter: letters[i] })),
    generator,
  };
}
