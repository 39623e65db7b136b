/** `panopticon validate`, `presets` and `sources`: scenario files and what they may cite. */
import { basename, dirname, resolve as resolvePath } from 'node:path';
import { formatBytes, isUserError } from '../../scenario/errors.js';
import { defaultPresetsDir, listPresets, loadPreset, loadScenarioFile } from '../../scenario/load.js';
import { checkMemory } from '../../scenario/resolve.js';
import { sources } from '../../scenario/sources.js';
import type { RegisterCommands } from '../context.js';
import { EXIT_OK, EXIT_USER } from '../exit-codes.js';
import { fmtNumber, table } from '../format.js';

export const registerScenarioCommands: RegisterCommands = (program, ctx, setExit) => {
  program
    .command('validate')
    .description(
      'check a scenario file (schema, model params, sources, memory) without running it; a file in the presets folder is checked with the preset rules',
    )
    .argument('<file>', 'scenario YAML file')
    .action((file: string) => {
      const dir = ctx.presetsDir ?? defaultPresetsDir();
      const inPresets =
        resolvePath(dirname(resolvePath(file))) === resolvePath(dir) && basename(file).endsWith('.yaml');
      const s = inPresets
        ? loadPreset(basename(file, '.yaml'), { registry: ctx.registry, dir })
        : loadScenarioFile(file, { registry: ctx.registry, dir });
      const est = checkMemory(s, ctx.registry, ctx.availableMemory());
      ctx.out(
        `valid: ${file} (model ${s.model}, ${fmtNumber(est.agents)} agents, state ${formatBytes(est.stateBytes)}, ${s.steps} steps)\n`,
      );
      setExit(EXIT_OK);
    });

  program
    .command('presets')
    .description('list the preset scenarios')
    .action(() => {
      const dir = ctx.presetsDir ?? defaultPresetsDir();
      const names = listPresets(dir);
      if (!names.length) {
        ctx.out(`no presets in ${dir}\n`);
        return setExit(EXIT_OK);
      }
      const rows: string[][] = [];
      const problems: string[] = [];
      for (const name of names) {
        try {
          const p = loadPreset(name, { registry: ctx.registry, dir });
          const used = [...new Set(Object.values(p.sources).flat())].sort();
          rows.push([name, p.model, p.description ?? '', used.join(', ')]);
        } catch (e) {
          if (!isUserError(e)) throw e;
          rows.push([name, '?', 'INVALID (see below)', '']);
          problems.push(e.message);
        }
      }
      ctx.out(table(['name', 'model', 'description', 'sources'], rows) + '\n');
      if (problems.length) {
        ctx.err(problems.join('\n') + '\n');
        return setExit(EXIT_USER);
      }
      setExit(EXIT_OK);
    });

  program
    .command('sources')
    .description('list the sources registry (id → citation) that scenario files cite')
    .action(() => {
      ctx.out(
        table(
          ['id', 'citation'],
          Object.entries(sources).map(([id, c]) => [id, c]),
        ) + '\n',
      );
      setExit(EXIT_OK);
    });
};
