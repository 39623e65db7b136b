/**
 * `panopticon report RUN [RUN …] | EXPERIMENT --out report.html [--figures DIR]`: the command's
 * options; its work (src/charts/node/report-command.ts) is loaded only when it runs, so that
 * other commands do not pay for Vega and resvg.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import type { ReportOpts } from '../charts/node/report-command.js';
import type { CliContext } from './program.js';

export function registerReport(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('report')
    .description(
      'write a report for a run, for runs compared against the first, for an experiment or for a calibration: one self-contained HTML page (--out) and/or each figure as SVG, PNG and Vega-Lite JSON (--figures), with provenance and ro-crate-metadata.json beside them',
    )
    .argument(
      '<ids...>',
      'a run id, several to compare (the first is the reference; see `panopticon runs`), one experiment id (see `panopticon experiment list`), or one calibration id',
    )
    .option('--out <file>', 'the HTML report to write, e.g. report.html')
    .option('--figures <dir>', 'write each figure as SVG, PNG (2x) and Vega-Lite JSON into this folder')
    .option('--db <path>', 'results database file', join('panopticon-results', 'results.duckdb'))
    .option('--force', 'replace existing files', false)
    .option(
      '--partial',
      'report on runs that are not complete (interrupted, failed, abandoned: partial metrics)',
      false,
    )
    .action(async (ids: string[], o: ReportOpts) => {
      const { reportCommand } = await import('../charts/node/report-command.js');
      ctx.out(await reportCommand(ctx.registry, ids, o));
      setExit(0);
    });
}
