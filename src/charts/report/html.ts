/**
 * The report as one HTML file: inline CSS, inline SVG figures, no script, nothing fetched.
 * It opens from disk, prints, and can be archived as is. Every piece of text that came from
 * a user (scenario names, descriptions, parameters) is escaped.
 */
import { fmt } from '../format.js';
import type { Figure, SkippedFigure } from '../types.js';
import {
  citationsFor,
  showValue,
  type ExperimentProvenance,
  type GeneratorInfo,
  type ParameterRecord,
  type RunProvenance,
} from './provenance.js';

export interface ReportTable {
  readonly caption: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Columns to right-align (numbers). */
  readonly numeric?: readonly boolean[];
}

export interface ReportDocument {
  readonly title: string;
  readonly subtitle: string;
  readonly paragraphs: readonly string[];
  readonly figures: readonly Figure[];
  readonly skipped: readonly SkippedFigure[];
  /** Tables after the figures (the end-of-run summary, the compare table). */
  readonly tables: readonly ReportTable[];
  readonly runs: readonly RunProvenance[];
  /** Set for an experiment's report (then `runs` is empty). */
  readonly experiment?: ExperimentProvenance;
  /** Other provenance as plain-text label–value pairs (a calibration's), under its own heading. */
  readonly facts?: { readonly heading: string; readonly rows: readonly (readonly [string, string])[] };
  readonly generator: GeneratorInfo;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Figures are set for print and slides; on screen they read better a little larger. */
const SCREEN_SCALE = 1.25;

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: 'Liberation Sans', Arial, Helvetica, 'DejaVu Sans', sans-serif; color: #1a1a1a; background: #fff;
  margin: 0 auto; padding: 24px 28px 64px; max-width: 1180px; line-height: 1.5; font-size: 16px; }
h1 { font-size: 30px; margin: 8px 0 4px; }
h2 { font-size: 22px; margin: 40px 0 8px; border-bottom: 2px solid #0072B2; padding-bottom: 4px; }
h3 { font-size: 18px; margin: 24px 0 6px; }
.subtitle { color: #444; margin: 0 0 16px; }
.summary { font-size: 17px; max-width: 860px; background: #f4f8fb; border-left: 4px solid #0072B2; padding: 12px 16px; }
figure { margin: 20px 0 28px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { max-width: 860px; color: #333; font-size: 14px; margin-top: 6px; }
table { border-collapse: collapse; margin: 8px 0 20px; font-size: 14px; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid #d0d0d0; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.path, td code { font-family: 'DejaVu Sans Mono', 'Liberation Mono', monospace; font-size: 13px; }
tr.differs td { background: #fff7e6; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0 16px; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ol.refs li { margin-bottom: 4px; }
.note { color: #444; font-size: 14px; }
footer { margin-top: 48px; color: #555; font-size: 13px; border-top: 1px solid #ddd; padding-top: 8px; }
@media print { body { padding: 0; max-width: none; } h2 { break-after: avoid; } }
`;

function table(t: ReportTable, cls = ''): string {
  const num = t.numeric ?? [];
  const head = `<tr>${t.header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = t.rows
    .map((r) => `<tr>${r.map((c, i) => `<td${num[i] ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table${cls ? ` class="${cls}"` : ''}><caption>${escapeHtml(t.caption)}</caption><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

function shortCommit(c: string | null): string {
  return c ? c.slice(0, 12) : 'not recorded';
}

/** An experiment's version is `VERSION+CODEHASH` (src/experiments/plan.ts): say what the hash is. */
function experimentVersion(v: string): string {
  const plus = v.indexOf('+');
  if (plus < 0) return escapeHtml(v);
  return `${escapeHtml(v.slice(0, plus))} (hash of its engine and model code: <code>${escapeHtml(v.slice(plus + 1))}</code>)`;
}

function runFacts(r: RunProvenance): string {
  return factsList([
    ['run id', `<code>${escapeHtml(r.runId)}</code>`],
    ['model', escapeHtml(r.model)],
    ['model description (ODD)', oddLink(r.odd, r.version)],
    ['preset', escapeHtml(r.preset ?? '— (a scenario file)')],
    ...(r.name && r.name !== r.preset ? [['scenario name', escapeHtml(r.name)] as [string, string]] : []),
    ...(r.description ? [['description', escapeHtml(r.description)] as [string, string]] : []),
    ['Panopticon version', escapeHtml(r.version)],
    ['git commit', r.commit ? `<code>${escapeHtml(r.commit)}</code>` : 'not recorded by the store'],
    ['scenario hash (SHA-256)', `<code>${escapeHtml(r.scenarioHash)}</code>`],
    ['seed', String(r.seed)],
    ['steps', fmt(r.steps)],
    ['agents', fmt(r.agents)],
    ['threads', `${r.threads} (results do not depend on it)`],
    ['status', escapeHtml(r.status)],
    ['started (UTC)', escapeHtml(r.startedAt)],
    ['finished (UTC)', escapeHtml(r.finishedAt ?? '—')],
    ['wall time', r.wallSeconds === null ? '—' : `${fmt(r.wallSeconds)} s`],
  ]);
}

interface ParameterColumn {
  readonly label: string;
  readonly parameters: readonly ParameterRecord[];
}

function sourceLinks(p: ParameterRecord | undefined): string {
  if (!p) return '—';
  if (!p.sources.length) return 'not recorded';
  return p.sources.map((id) => `<a href="#src-${escapeHtml(id)}">${escapeHtml(id)}</a>`).join(', ');
}

/** One parameters table for several runs or arms: a value column each; rows where they differ are marked. */
function parametersTable(columns: readonly ParameterColumn[]): string {
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const c of columns)
    for (const p of c.parameters)
      if (!seen.has(p.path)) {
        seen.add(p.path);
        paths.push(p.path);
      }
  const multi = columns.length > 1;
  const anyVaried = columns.some((c) => c.parameters.some((p) => p.varied));
  const header = ['parameter', ...columns.map((c) => (multi ? `value in ${c.label}` : 'value')), 'source'];
  const rows = paths.map((path) => {
    const recs = columns.map((c) => c.parameters.find((p) => p.path === path));
    const values = recs.map((p) => (p ? `${showValue(p.value)}${p.varied ? ` (varied: ${p.varied})` : ''}` : '—'));
    // source ids link to their full citations under "Sources cited"
    const srcs = recs.map(sourceLinks);
    const source = srcs.every((x) => x === srcs[0])
      ? srcs[0]
      : srcs.map((x, i) => `${escapeHtml(columns[i].label)}: ${x}`).join('; ');
    const differs = (multi && values.some((v) => v !== values[0])) || recs.some((p) => p?.varied);
    const cells = [
      `<td class="path">${escapeHtml(path)}</td>`,
      ...values.map((v) => `<td class="num">${escapeHtml(v)}</td>`),
      `<td>${source}</td>`,
    ];
    return `<tr${differs ? ' class="differs"' : ''}>${cells.join('')}</tr>`;
  });
  const all = columns.flatMap((c) => c.parameters);
  const cited = all.filter(
    (p) => p.sources.length && !(p.sources.length === 1 && p.sources[0] === 'assumption'),
  ).length;
  const note = anyVaried
    ? ' Highlighted rows differ between arms or are varied by the design (their value here is at the first design point).'
    : multi
      ? ' Highlighted rows differ between runs.'
      : '';
  return `<p class="note">Every model parameter in effect (${fmt(all.length)} values; ${fmt(cited)} cite a documented source). A source applies to the parameter named and everything under it; “assumption” means no documented source supports the number — a modelling choice to vary in sensitivity analysis.${note}</p>
<table class="params"><thead><tr>${header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

function oddLink(odd: RunProvenance['odd'], version: string): string {
  if (!odd) return 'none for this model';
  return odd.href
    ? `<a href="${escapeHtml(odd.href)}">${escapeHtml(odd.path)}</a> (Panopticon ${escapeHtml(version)})`
    : `${escapeHtml(odd.path)} in Panopticon ${escapeHtml(version)}`;
}

function factsList(facts: readonly (readonly [string, string])[]): string {
  return `<dl class="facts">${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function experimentProvenance(e: ExperimentProvenance): string {
  const facts: [string, string][] = [
    ['experiment id', `<code>${escapeHtml(e.id)}</code>`],
    ...(e.description ? [['description', escapeHtml(e.description)] as [string, string]] : []),
    ['experiment file', escapeHtml(e.file)],
    ['design', escapeHtml(e.design)],
    ['design points', fmt(e.points)],
    [
      'replicates',
      `${escapeHtml(e.replicates)} (replicate r runs with seed ${e.seed} + r at every point and arm: common random numbers)`,
    ],
    ['steps', fmt(e.steps)],
    ['Panopticon version', experimentVersion(e.version)],
    ['git commit', 'not recorded by the store (the report’s footer names the commit that wrote the report)'],
    ['definition hash (SHA-256)', `<code>${escapeHtml(e.definitionHash)}</code>`],
    ['status', escapeHtml(e.status)],
    ['runs', `${fmt(e.runsStored)} stored of ${fmt(e.runsPlanned)} planned, ${fmt(e.runsFailed)} failed`],
    ['created, updated (UTC)', `${escapeHtml(e.createdAt)}, ${escapeHtml(e.updatedAt)}`],
  ];
  const factors: ReportTable = {
    caption: 'Factors',
    header: ['factor', 'parameter path', 'range or levels'],
    rows: e.factors.map((f) => [f.name, f.path, f.range]),
  };
  const outputs: ReportTable = {
    caption: 'Outputs',
    header: ['output', 'metric', 'statistic', 'over', 'window'],
    rows: e.outputs.map((o) => [o.name, o.metric, o.stat, o.key, o.window]),
  };
  const arms: ReportTable = {
    caption: 'Arms',
    header: ['arm', 'scenario', 'model', 'citations'],
    rows: e.arms.map((a) => [`${a.name}${a.isReference ? ' (reference)' : ''}`, a.source, a.model, a.sourcesNote]),
  };
  const odd = e.arms[0]?.odd ?? null;
  return `<h3>Experiment ${escapeHtml(e.id)}</h3>
${factsList([...facts, ['model description (ODD)', oddLink(odd, e.version)]])}
${e.factors.length ? table(factors) : ''}
${table(outputs)}
${table(arms)}
<h3>Parameters</h3>
${parametersTable(e.arms.map((a) => ({ label: a.name, parameters: a.parameters })))}
<h3>Sources cited</h3>
${references(e.arms.flatMap((a) => a.parameters))}`;
}

function references(parameters: readonly ParameterRecord[]): string {
  const ids = parameters.flatMap((p) => p.sources);
  const refs = citationsFor(ids);
  return `<ol class="refs">${refs.map((c) => `<li id="src-${escapeHtml(c.id)}"><strong>${escapeHtml(c.id)}</strong>: ${escapeHtml(c.citation)}</li>`).join('')}</ol>`;
}

/** The report page. `svgs` holds each figure's rendered SVG by figure id. */
export function reportHtml(doc: ReportDocument, svgs: ReadonlyMap<string, string>): string {
  const sections: string[] = [];
  const order: string[] = [];
  for (const f of doc.figures) if (!order.includes(f.section ?? 'Figures')) order.push(f.section ?? 'Figures');
  let n = 0;
  for (const name of order) {
    const figs = doc.figures.filter((f) => (f.section ?? 'Figures') === name);
    const body = figs
      .map((f) => {
        n++;
        const svg = svgs.get(f.id);
        if (!svg) throw new Error(`figure ${f.id} was not rendered`);
        // Shown 1.25× the SVG's own size (the size its text was set for), never wider than the page.
        const w = Number(/^<svg\b[^>]*?\swidth="([\d.]+)"/.exec(svg)?.[1]);
        const sized = w ? svg.replace(/^<svg\b/, `<svg style="width: ${Math.round(w * SCREEN_SCALE)}px"`) : svg;
        return `<figure id="figure-${escapeHtml(f.id)}">
${sized}
<figcaption><strong>Figure ${n}.</strong> ${escapeHtml(f.title)}.${f.caption ? ` ${escapeHtml(f.caption)}` : ''}</figcaption>
</figure>`;
      })
      .join('\n');
    sections.push(`<section><h2>${escapeHtml(name)}</h2>\n${body}\n</section>`);
  }
  const skipped = doc.skipped.length
    ? `<section><h2>Figures not drawn</h2><ul>${doc.skipped.map((s) => `<li><strong>${escapeHtml(s.title)}</strong>: ${escapeHtml(s.reason)}.</li>`).join('')}</ul></section>`
    : '';
  const tables = doc.tables.length
    ? `<section><h2>In numbers</h2>\n${doc.tables.map((t) => table(t)).join('\n')}\n</section>`
    : '';
  const g = doc.generator;
  const runsPart = doc.runs.length
    ? `${doc.runs.map((r) => `<h3>${r.letter ? `Run ${escapeHtml(r.letter)}: ` : ''}${escapeHtml(r.preset ?? r.name ?? r.runId)}</h3>\n${runFacts(r)}`).join('\n')}
<h3>Parameters</h3>
${parametersTable(doc.runs.map((r) => ({ label: r.letter ?? r.runId, parameters: r.parameters })))}
<h3>Sources cited</h3>
${references(doc.runs.flatMap((r) => r.parameters))}`
    : '';
  const provenance = `<section id="provenance"><h2>Provenance</h2>
<p class="note">What produced these numbers. Re-running with the same Panopticon version, model, scenario (hash) and seeds gives identical results, whatever the thread count.</p>
${doc.experiment ? experimentProvenance(doc.experiment) : ''}
${doc.facts ? `<h3>${escapeHtml(doc.facts.heading)}</h3>\n${factsList(doc.facts.rows.map(([k, v]) => [k, escapeHtml(v)] as const))}` : ''}
${runsPart}
</section>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Panopticon ${escapeHtml(g.version)}">
<title>${escapeHtml(doc.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(doc.title)}</h1>
<p class="subtitle">${escapeHtml(doc.subtitle)}</p>
</header>
<main>
${doc.paragraphs.map((p) => `<p class="summary">${escapeHtml(p)}</p>`).join('\n')}
${sections.join('\n')}
${tables}
${skipped}
${provenance}
</main>
<footer>
Written by Panopticon ${escapeHtml(g.version)} (commit ${escapeHtml(shortCommit(g.commit))}${g.dirty ? ', with uncommitted changes' : ''}) at ${escapeHtml(g.at)} with <code>${escapeHtml(g.command)}</code>.
This file is self-contained: it loads nothing from anywhere. Panopticon simulates synthetic populations only; no real person's data is used.
</footer>
</body>
</html>
`;
}
