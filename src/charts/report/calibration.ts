/** A calibration's report: its figures, a paragraph, the acceptance history, posterior, fit and forecast tables. */
import { calibrationFigures, fittedUntil, type CalibrationData, type Quantiles } from '../plans/calibration.js';
import { fmt } from '../format.js';
import type { ReportDocument, ReportTable } from './html.js';
import type { GeneratorInfo } from './provenance.js';

const interval = (a: number | null, b: number | null) => `${fmt(a)} – ${fmt(b)}`;
const yesNo = (v: boolean | null) => (v === null ? '—' : v ? 'yes' : 'no');

function when(r: { stat: string; from: string; to: string }): string {
  return r.stat === 'total' ? `${r.from} to ${r.to}` : r.to;
}

function quantileCells(q: Quantiles): string[] {
  return [fmt(q.q50), interval(q.q25, q.q75), interval(q.q05, q.q95)];
}

export function calibrationParagraph(c: CalibrationData): string {
  const last = c.generations.at(-1);
  const inside90 = c.fit.filter((f) => f.in90).length;
  const inside50 = c.fit.filter((f) => f.in50).length;
  const below = c.fit.filter((f) => f.q50 !== null && f.q50 < f.observed).length;
  const until = fittedUntil(c);
  const method = `ABC-SMC with ${fmt(Number(c.method.particles))} particles and the ${c.method.kernel === 'olcm' ? 'local (Filippi et al. 2013)' : 'global (Beaumont et al. 2009)'} kernel`;
  const eps =
    last && last.epsilon !== null
      ? `generation ${last.generation} reached a tolerance ε of ${fmt(last.epsilon)} stated uncertainties (root mean square)`
      : 'no generation after the prior was completed';
  const fit = c.fit.length
    ? ` The posterior-predictive 90 % intervals hold ${inside90} of the ${c.fit.length} observations fitted and the 50 % intervals ${inside50} (a calibrated 50 % interval holds about half); the predictive median is below the observed value for ${below} of them.`
    : '';
  return `${method} fitted ${c.parameters.length} parameters of ${c.base} (${c.model} model, ${fmt(c.agents)} agents, counts × ${fmt(c.scale)}) to ${c.observationCount} dated observations${until ? ` up to ${until}` : ''}: ${eps}, after ${fmt(c.runs)} runs; it stopped on ${c.stopReason ?? 'no recorded reason'} (status ${c.status}).${fit} The forecast (${c.forecast.length} quantities) comes from ${fmt(c.draws)} predictive runs and assumes that nothing the model holds fixed changes after the fitted period.`;
}

function tables(c: CalibrationData): ReportTable[] {
  return [
    {
      caption: 'Acceptance history: each generation’s tolerance, proposals and effective sample size',
      header: ['generation', 'ε', 'proposed', 'accepted', 'acceptance', 'ESS', 'wall time (s)'],
      numeric: [true, true, true, true, true, true, true],
      rows: c.generations.map((g) => [
        String(g.generation),
        g.epsilon === null ? '∞' : fmt(g.epsilon),
        fmt(g.proposed),
        fmt(g.accepted),
        `${fmt(100 * g.acceptance)} %`,
        fmt(g.ess),
        g.wallSeconds === null ? '—' : fmt(g.wallSeconds),
      ]),
    },
    {
      caption: 'Posterior (last generation, weighted): median, 50 % and 90 % intervals',
      header: ['parameter', 'path', 'prior', 'median', '50 % interval', '90 % interval'],
      numeric: [false, false, false, true, true, true],
      rows: c.parameters.map((p) => [p.name, p.path, p.prior, ...quantileCells(p)]),
    },
    {
      caption: 'Fit: each observation against the posterior predictive',
      header: [
        'observation',
        'date',
        'observed',
        'sd',
        'median',
        '50 % interval',
        '90 % interval',
        'in 50 %',
        'in 90 %',
      ],
      numeric: [false, false, true, true, true, true, true, false, false],
      rows: c.fit.map((f) => [
        f.name,
        when(f),
        fmt(f.observed),
        fmt(f.sd),
        ...quantileCells(f),
        yesNo(f.in50),
        yesNo(f.in90),
      ]),
    },
    {
      caption: 'Forecast: posterior-predictive quantities',
      header: ['quantity', 'date', 'median', '50 % interval', '90 % interval'],
      numeric: [false, false, true, true, true],
      rows: c.forecast.map((f) => [f.name, when(f), ...quantileCells(f)]),
    },
  ].filter((t) => t.rows.length);
}

export function calibrationReport(c: CalibrationData, generator: GeneratorInfo): ReportDocument {
  const set = calibrationFigures(c);
  return {
    title: `Panopticon calibration: ${c.id}`,
    subtitle: `${c.description ? `${c.description} · ` : ''}base ${c.base} · model ${c.model} · from ${c.start} · ${fmt(c.agents)} agents × ${fmt(c.scale)} · ${c.status}`,
    paragraphs: [calibrationParagraph(c)],
    figures: set.figures,
    skipped: set.skipped,
    tables: tables(c),
    runs: [],
    facts: {
      heading: `Calibration ${c.id}`,
      rows: [
        ['calibration id', c.id],
        ['calibration file', c.file],
        ['base scenario', c.base],
        ['model', c.model],
        ['start date (tick 0)', c.start],
        ['agents', fmt(c.agents)],
        [
          'scale (counts ×)',
          `${fmt(c.scale)}${c.scalePopulation ? ` = ${fmt(c.scalePopulation)} ÷ ${fmt(c.agents)}` : ''}`,
        ],
        ['method', JSON.stringify(c.method)],
        ['distance', c.distance],
        ['Panopticon version', c.version],
        ['runs', fmt(c.runs)],
        ['predictive runs', fmt(c.draws)],
        ['status', c.status],
        ['stopped on', c.stopReason ?? '—'],
        ['created (UTC)', c.createdAt],
        ['updated (UTC)', c.updatedAt],
      ],
    },
    generator,
  };
}
