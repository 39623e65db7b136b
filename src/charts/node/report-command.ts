/**
 * What `panopticon report` does: a run, runs compared against the first, or an experiment, as
 * one self-contained HTML page and as figure files, with provenance and an RO-Crate beside
 * everything written. Loaded only when the command runs (Vega and resvg are heavy).
 */
import { dirname, extname, join, relative, resolve } from 'node:path';
import { checkRuns, comparisonSections, loadReportRun } from './load.js';
import {
  checkFileTarget,
  checkFolderTarget,
  checkNoneExist,
  figureFiles,
  writeAtomic,
  writeCrate,
  writeFigures,
} from './output.js';
import { isExperiment, loadExperiment } from './experiment.js';
import { isCalibration, loadCalibration } from './calibration.js';
import { calibrationReport } from '../report/calibration.js';
import { generatorInfo } from './software.js';
import { renderSvg } from '../render.js';
import { compareReport, runReport } from '../report/document.js';
import { experimentReport } from '../report/experiment.js';
import { reportHtml, type ReportDocument } from '../report/html.js';
import { roCrate, type CrateFile } from '../report/rocrate.js';
import type { Figure } from '../types.js';
import { fmt } from '../format.js';
import { UserError } from '../../scenario/errors.js';
import { ResultsStore } from '../../store/store.js';
import { formatBytes } from '../../scenario/errors.js';

import type { ModelRegistry } from '../../models/registry.js';

export interface ReportOpts {
  out?: string;
  figures?: string;
  db: string;
  force: boolean;
  partial: boolean;
}

const FORMATS: Record<string, string> = {
  svg: 'image/svg+xml',
  png: 'image/png',
  json: 'application/json',
  html: 'text/html',
};

function crateFile(path: string, fig?: Figure): CrateFile {
  const ext = path.split('.').pop()!;
  const kind = path.endsWith('.vl.json')
    ? 'Vega-Lite specification (open in the Vega editor to change it)'
    : ext.toUpperCase();
  return {
    path,
    name: fig ? `${fig.title} (${kind})` : 'Panopticon report',
    encodingFormat: FORMATS[ext] ?? 'application/octet-stream',
    ...(fig ? { description: fig.alt } : {}),
  };
}

function crateLine(dir: string, written: string | null): string {
  const shown = written && relative(process.cwd(), written);
  return written
    ? `wrote ${shown && !shown.startsWith('..') ? shown : written}`
    : `left ${join(dir, 'ro-crate-metadata.json')} alone: another tool wrote it, so no RO-Crate metadata was added for these files`;
}

/** Write what the options ask for; returns the lines to print. */
export async function reportCommand(registry: ModelRegistry, ids: readonly string[], o: ReportOpts): Promise<string> {
  // 1. what to write, checked before the store is opened
  if (!o.out && !o.figures)
    throw new UserError(
      'nothing to write: give --out report.html (the page) and/or --figures DIR (each figure as SVG, PNG and Vega-Lite JSON)',
    );
  if (o.out) {
    const ext = extname(o.out).toLowerCase();
    if (ext !== '.html' && ext !== '.htm')
      throw new UserError(`--out: got ${o.out}; allowed: an .html file (e.g. report.html)`);
    checkFileTarget(o.out, '--out', o.force, [o.db]);
  }
  if (o.figures) checkFolderTarget(o.figures, '--figures');

  const command = `panopticon report ${ids.join(' ')}${o.out ? ` --out ${o.out}` : ''}${o.figures ? ` --figures ${o.figures}` : ''}${o.force ? ' --force' : ''}${o.partial ? ' --partial' : ''}`;
  const generator = generatorInfo(command);
  let doc: ReportDocument;
  const reader = await ResultsStore.open(o.db, { readOnly: true });
  if (await isCalibration(reader, ids[0])) {
    if (ids.length > 1)
      throw new UserError(`runs: ${ids[0]} is a calibration; allowed: one calibration id, or one or more run ids`);
    doc = calibrationReport(await loadCalibration(reader, ids[0]), generator);
  } else if (await isExperiment(reader, ids[0])) {
    if (ids.length > 1)
      throw new UserError(`runs: ${ids[0]} is an experiment; allowed: one experiment id, or one or more run ids`);
    // the analysis is recomputed from the stored values (read only: not kept, so archives work too)
    const { data, provenance } = await loadExperiment(reader, ids[0], registry);
    doc = experimentReport(data, provenance, generator);
  } else {
    const rows = await checkRuns(reader, ids, o.partial);
    const runs = [];
    for (const r of rows) runs.push(await loadReportRun(reader, r, registry));
    const sections = comparisonSections(registry, rows[0].model);
    doc = runs.length === 1 ? runReport(runs[0], sections, generator) : compareReport(runs, sections, generator);
  }

  // 2. every file this would replace is refused now, before anything is written
  const outDir = o.out ? dirname(resolve(o.out)) : null;
  const figDir = o.figures ? resolve(o.figures) : null;
  if (figDir) checkNoneExist(figureFiles(figDir, doc.figures), '--figures', o.force);

  // 3. render, then write
  const svgs = new Map<string, string>();
  for (const f of doc.figures) svgs.set(f.id, await renderSvg(f));
  const lines: string[] = [];
  const crate = (files: CrateFile[]) =>
    roCrate({
      name: doc.title,
      description: `${doc.subtitle}. ${doc.paragraphs.join(' ')}`,
      files,
      runs: doc.runs,
      ...(doc.experiment ? { experiment: doc.experiment } : {}),
      generator: doc.generator,
      action: 'report',
    });
  const byFigure = new Map(doc.figures.map((f) => [f.id, f]));
  let figureEntries: CrateFile[] = [];
  if (figDir) {
    const written = writeFigures(figDir, doc.figures, svgs);
    figureEntries = written.map((p) => crateFile(p, byFigure.get(p.replace(/\.(svg|png|vl\.json)$/, ''))));
    lines.push(`wrote ${doc.figures.length} figures (SVG, PNG, Vega-Lite JSON) to ${o.figures}`);
  }
  if (o.out && outDir) {
    const html = reportHtml(doc, svgs);
    writeAtomic(resolve(o.out), html);
    lines.push(`wrote ${o.out} (${fmt(doc.figures.length)} figures, ${formatBytes(Buffer.byteLength(html))})`);
    const reportEntry = crateFile(relative(outDir, resolve(o.out)));
    if (outDir === figDir) figureEntries = [reportEntry, ...figureEntries];
    else lines.push(crateLine(outDir, writeCrate(outDir, crate([reportEntry]))));
  }
  if (figDir) lines.push(crateLine(figDir, writeCrate(figDir, crate(figureEntries))));
  if (doc.skipped.length) lines.push(`not drawn: ${doc.skipped.map((s) => `${s.id} (${s.reason})`).join('; ')}`);
  return lines.join('\n') + '\n';
}
