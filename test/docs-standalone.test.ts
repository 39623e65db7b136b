/**
 * The project's docs stand alone: nothing a user reads (README, docs/, sources, presets, the
 * explorer) points at the maintainers' research notes, and the user guide names every command
 * the CLI has, so `--help` and the guide never disagree about what exists.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, type CliContext } from '../src/cli/program.js';
import { LocalExecutor } from '../src/engine/simulation.js';
import { models } from '../src/models/registry.js';

const ROOT = join(import.meta.dirname, '..');
const SHIPPED = ['README.md', 'docs', 'src', 'scenarios', 'web/src', 'web/index.html', 'examples'];
const TEXT = /\.(md|ts|yaml|yml|html|sql|json)$/;

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => files(join(path, name)));
}

/** Pointers into notes that readers of the project do not have. */
const PRIVATE_POINTERS = [/\.\.\/shared\//, /facts\.md/, /\bfacts §/, /research notes/i, /shared\/research/];

describe('docs stand alone', () => {
  it('nothing shipped points at ../shared/, facts.md or the research notes', () => {
    const hits: string[] = [];
    for (const file of SHIPPED.flatMap(files).filter((f) => TEXT.test(f))) {
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (PRIVATE_POINTERS.some((re) => re.test(line))) hits.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it('the user guide (guide.md with its experiments chapter) names every CLI command', () => {
    const ctx: CliContext = {
      registry: models,
      version: '0.0.0',
      out: () => undefined,
      err: () => undefined,
      availableMemory: () => 2 ** 32,
      cores: 2,
      onSignal: () => () => undefined,
      createExecutor: async () => new LocalExecutor(),
    };
    const program = buildProgram(ctx, () => undefined);
    const names = (cmd: Command, prefix: string): string[] =>
      cmd.commands.flatMap((sub) => [`${prefix}${sub.name()}`, ...names(sub, `${prefix}${sub.name()} `)]);
    const commands = names(program, '');
    expect(commands).toContain('experiment list');
    const guide = ['docs/guide.md', 'docs/experiments.md'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const missing = commands.filter((c) => !guide.includes(`panopticon ${c}`) && !guide.includes(`\`${c}`));
    expect(missing).toEqual([]);
  });
});
