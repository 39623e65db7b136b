/** scripts/docs-validation.ts: what it reads and writes, and the input it refuses. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { laterUnrestTable } from '../examples/regime-answer.js';
import { BLOCKS, answerSections, marker, replaceBlock } from '../scripts/docs-validation.js';

const doc = (inner: string) =>
  `# Title\n\nProse before.\n\n${marker('x', 'begin')}${inner}${marker('x', 'end')}\n\nProse after.\n`;

describe('docs:validation', () => {
  it('replaces only the text between a block’s markers, and doing it twice changes nothing more', () => {
    const once = replaceBlock(doc('\nold table\n'), 'x', '| a |\n| --- |\n| 1 |');
    expect(once).toBe(doc('\n\n| a |\n| --- |\n| 1 |\n\n'));
    expect(replaceBlock(once, 'x', '| a |\n| --- |\n| 1 |')).toBe(once);
    expect(() => replaceBlock(doc(''), 'y', 'z')).toThrow(/no markers for block "y"/);
  });

  it('reads the sections of regime-answer’s output as the example prints them', () => {
    const later = laterUnrestTable([
      {
        arrestsPerOfficerPerDay: 1,
        regime: 'accurate cameras',
        protest: { mean: -0.01, halfWidth: 0.002 },
        legitimacy: { mean: 0.003, halfWidth: 0.001 },
      },
    ]);
    const output = `# high-intensity, 1,000 residents × 10 days, 2 seeds\n\n## Later unrest after cameras are bought\n\n${later}\n\n## Sensitivity\n\n| t |\n| --- |\n`;
    const { header, sections } = answerSections(output);
    expect(header).toBe('high-intensity, 1,000 residents × 10 days, 2 seeds');
    expect(sections.get('Later unrest after cameras are bought')).toBe(later);
    expect(sections.get('Sensitivity')).toBe('| t |\n| --- |');
    expect(sections.has('Phase diagram')).toBe(false);
  });

  it('finds every block it writes in docs/validation/regime.md', () => {
    const text = readFileSync(new URL('../docs/validation/regime.md', import.meta.url), 'utf8');
    for (const block of Object.values(BLOCKS).flat()) {
      const begin = text.indexOf(marker(block, 'begin'));
      expect(begin, block).toBeGreaterThanOrEqual(0);
      expect(text.indexOf(marker(block, 'end')), block).toBeGreaterThan(begin);
    }
  });

  it('refuses bad input, naming the option and the value, before any simulation', async () => {
    const run = promisify(execFile);
    const script = new URL('../scripts/docs-validation.ts', import.meta.url).pathname;
    const cases = [
      [['--part', 'tables'], /--part: got "tables", expected some of patterns, docking, answer/],
      [['--population', '0'], /--population: got "0", expected a positive integer/],
      [
        ['--part', 'answer', '--answer-from', '/nonexistent/answer.md'],
        /--answer-from: \/nonexistent\/answer.md does not exist/,
      ],
    ] as const;
    const results = await Promise.all(
      cases.map(([args]) =>
        run('npx', ['tsx', script, ...args]).then(
          () => null,
          (e: { code: number; stderr: string }) => e,
        ),
      ),
    );
    results.forEach((failed, k) => {
      expect(failed?.code).toBe(2);
      expect(failed?.stderr).toMatch(cases[k][1]);
    });
  });
});
