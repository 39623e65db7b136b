/**
 * `panopticon calibrate FILE`: fit a dated scenario's parameters to dated observations by
 * ABC-SMC, through the experiment runner (local threads or `--queue redis://…`), then run
 * the posterior predictive and print the fit and the forecast (docs/guide.md §9).
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { openExperimentDb } from '../../experiments/db.js';
import { loadCalibrationFile, type Calibration } from '../../experiments/calibration/load.js';
import { calibrate, type CalibrationProgress, type CalibrationReport } from '../../experiments/calibration/run.js';
import { describePrior } from '../../experiments/calibration/priors.js';
import { DISTANCE_TEXT } from '../../experiments/calibration/store.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { EXIT_RUNS_FAILED, EXIT_SIGINT, EXIT_SIGTERM } from '../exit-codes.js';
import { fmtNumber, fmtSeconds, keyValues, table } from '../format.js';
import { backendFor, dbPath, runnerOptions, untilDoneOrStopped, type RunOpts } from './experiment.js';

function fmtEps(e: number): string {
  return Number.isFinite(e) ? e.toPrecision(3) : '∞';
}

function progressBar(
  ctx: CliContext,
  enabled: boolean,
): { update: (p: CalibrationProgress) => void; stop: () => void } {
  if (!enabled || !ctx.progress) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: ctx.progress.stream,
      noTTYOutput: !ctx.progress.isTTY,
      notTTYSchedule: 10_000,
      hideCursor: ctx.progress.isTTY,
      format: '{phase} |{bar}| {value}/{total} {what} | {detail} | ETA {left}',
      fps: 4,
    },
    cliProgress.Presets.shades_classic,
  );
  const t0 = performance.now();
  let started = '';
  return {
    update: (p) => {
      const seconds = (performance.now() - t0) / 1000;
      // throughput of this invocation: runs per second of wall time, whatever runs them
      const perSecond = p.ran > 0 && seconds > 0 ? p.ran / seconds : 0;
      let value: number;
      let total: number;
      let payload: Record<string, string>;
      if (p.phase === 'abc') {
        const rate = p.examined > 0 ? p.accepted / p.examined : NaN;
        const need = p.particles - p.accepted;
        const eta = perSecond > 0 && rate > 0 ? fmtSeconds(need / rate / perSecond) : '-';
        value = p.accepted;
        total = p.particles;
        payload = {
          phase: `generation ${p.generation}/${p.generations} ε ${fmtEps(p.epsilon)}`,
          what: 'accepted',
          detail: `acceptance ${Number.isFinite(rate) ? `${(100 * rate).toFixed(0)} %` : '-'} of ${fmtNumber(p.examined)} | ${fmtNumber(p.ran)} runs${p.failed ? `, ${p.failed} failed` : ''}`,
          left: `${eta} (this generation)`,
        };
      } else {
        value = p.predictiveDone;
        total = p.predictiveTotal;
        const left = p.predictiveTotal - p.predictiveDone;
        payload = {
          phase: 'posterior predictive',
          what: 'runs',
          detail: `${fmtNumber(p.ran)} runs in all${p.failed ? `, ${p.failed} failed` : ''}`,
          left: perSecond > 0 ? fmtSeconds(left / perSecond) : '-',
        };
      }
      const key = `${p.phase}${p.generation}`;
      if (started !== key) {
        if (started) bar.stop();
        bar.start(total, value, payload);
        started = key;
      } else bar.update(value, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

const interval = (lo: number, hi: number) => `[${fmtNumber(lo)}, ${fmtNumber(hi)}]`;

/** The report as text: scale, generations, posterior, fit, forecast. */
export function formatCalibration(cal: Calibration, r: CalibrationReport): string {
  const parts: string[] = [];
  const scale = cal.scalePopulation
    ? `counts are at the scale of ${fmtNumber(cal.scalePopulation)} people: simulated counts × ${fmtNumber(cal.scale)} (${fmtNumber(cal.scalePopulation)} / ${fmtNumber(cal.agents)} synthetic residents; source: ${cal.scaleSources.join(', ')})`
    : `counts are the simulation's own (${fmtNumber(cal.agents)} synthetic residents; no scale given)`;
  parts.push(
    keyValues([
      ['calibration', `${r.id}${r.resumed ? ' (resumed)' : ''}`],
      ['status', r.status],
      ['stopped', r.stopReason],
      [
        'method',
        `ABC-SMC, ${cal.method.particles} particles, up to ${cal.method.generations} generations after the prior's, ${cal.method.kernel === 'olcm' ? 'local kernel (Filippi et al. 2013)' : 'kernel 2 × the weighted covariance (Beaumont et al. 2009)'}`,
      ],
      [
        'tolerance',
        Array.isArray(cal.method.tolerance)
          ? `fixed: ${cal.method.tolerance.join(', ')}`
          : `ε_t = the ${cal.method.tolerance.quantile} quantile of generation t−1's accepted distances`,
      ],
      ['distance', DISTANCE_TEXT],
      [
        'runs',
        `${fmtNumber(r.ran)} run now${r.failed ? `, ${r.failed} failed` : ''}; ${cal.steps} days each (to the last observation)`,
      ],
      ['scale', scale],
      ['wall time', fmtSeconds(r.wallSeconds)],
      ['backend', r.backend],
    ]),
  );
  if (r.generations.length)
    parts.push(
      `generations (calibration_generations)\n${table(
        ['generation', 'ε', 'proposed', 'accepted', 'acceptance', 'ESS'],
        r.generations.map((g) => [
          String(g.generation),
          fmtEps(g.epsilon),
          fmtNumber(g.proposed),
          fmtNumber(g.accepted),
          `${((100 * g.accepted) / g.proposed).toFixed(1)} %`,
          fmtNumber(Math.round(g.ess)),
        ]),
      )}`,
    );
  if (r.posterior.length)
    parts.push(
      `posterior (calibration_posterior)\n${table(
        ['parameter', 'prior', 'median', '50 % interval', '90 % interval'],
        r.posterior.map((p, i) => [
          p.name,
          describePrior(cal.parameters[i].prior),
          fmtNumber(p.q50),
          interval(p.q25, p.q75),
          interval(p.q05, p.q95),
        ]),
      )}`,
    );
  const pp = r.predictive;
  if (pp) {
    parts.push(
      `fit: observed vs posterior predictive, ${pp.n} runs (calibration_fit)\n${table(
        ['observation', 'date', 'observed', 'median', '90 % interval', 'inside'],
        cal.observations.map((o, i) => [
          o.name,
          o.stat === 'total' ? `${o.from}…${o.to}` : o.to,
          fmtNumber(o.value),
          fmtNumber(pp.fit[i].q50),
          interval(pp.fit[i].q05, pp.fit[i].q95),
          pp.fit[i].observed >= pp.fit[i].q05 && pp.fit[i].observed <= pp.fit[i].q95 ? 'yes' : 'NO',
        ]),
      )}`,
    );
    if (cal.forecast.quantities.length)
      parts.push(
        `forecast (calibration_forecast)\n${table(
          ['quantity', 'date', 'median', '50 % interval', '90 % interval'],
          cal.forecast.quantities.map((q, i) => [
            q.name,
            q.stat === 'total' ? `${q.from}…${q.to}` : q.to,
            fmtNumber(pp.forecast[i].q50),
            interval(pp.forecast[i].q25, pp.forecast[i].q75),
            interval(pp.forecast[i].q05, pp.forecast[i].q95),
          ]),
        )}`,
      );
  }
  return parts.join('\n\n');
}

async function calibrateCommand(ctx: CliContext, file: string, o: RunOpts): Promise<number> {
  // Everything is checked before the store or Redis is touched.
  const cal = loadCalibrationFile(file, {
    registry: ctx.registry,
    ...(ctx.presetsDir ? { presetsDir: ctx.presetsDir } : {}),
  });
  const longest = { ...cal.base, steps: Math.max(cal.steps, cal.forecast.steps) };
  const backend = await backendFor(ctx, o, [longest]);
  const db = await openExperimentDb(dbPath(o));
  const report = await untilDoneOrStopped(
    ctx,
    backend,
    'stopping the calibration (finished runs are kept; running the file again resumes it)',
    progressBar(ctx, o.progress),
    (onProgress, stopRequested) => calibrate({ cal, registry: ctx.registry, db, backend, onProgress, stopRequested }),
  );
  ctx.out(formatCalibration(cal, report) + `\n\nstore: ${db.path}\n`);
  if (report.status === 'interrupted') {
    ctx.err(
      `${report.stopReason}: finished runs and generations are stored; run the same command again to go on from there\n`,
    );
    return report.stopReason.endsWith('SIGTERM') ? EXIT_SIGTERM : EXIT_SIGINT;
  }
  if (report.failed) {
    ctx.err(
      `${report.failed} run${report.failed === 1 ? '' : 's'} failed (stored as failed in experiment_runs; their proposals count as rejected)\n`,
    );
    return EXIT_RUNS_FAILED;
  }
  return 0;
}

export const registerCalibrate: RegisterCommands = (program: Command, ctx, setExit) => {
  runnerOptions(
    program
      .command('calibrate')
      .description(
        'fit a dated scenario’s parameters to dated observations (ABC-SMC), then forecast with intervals (docs/guide.md §9)',
      )
      .argument('<file>', 'calibration YAML file'),
  ).action(async (file: string, o: RunOpts) => setExit(await calibrateCommand(ctx, file, o)));
};
