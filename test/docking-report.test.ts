/** The docking report script (examples/docking-report.ts) runs, small, and says what it claims. */
import { describe, expect, it } from 'vitest';
import { epsteinOutbursts, epsteinVariants, outburstTable } from '../examples/docking-report.js';

describe('docking report', () => {
  it('lists every rule set and every reverted rule, and tabulates outbursts per variant', async () => {
    const variants = epsteinVariants();
    const names = variants.map((v) => v.name);
    expect(names.filter((n) => n.startsWith('original, reverted:'))).toHaveLength(5);
    for (const rules of ['paper rules', 'NetLogo rules', 'Mesa rules', 'original rules']) {
      expect(names.some((n) => n.startsWith(rules))).toBe(true);
    }
    const original = variants.find((v) => v.name.startsWith('original rules'))!;
    const row = await epsteinOutbursts(original, 2, 400);
    expect(row.outbursts).toBeGreaterThan(0);
    expect(row.wait.mean).toBeGreaterThan(0);
    expect(row.activation.mean).toBeGreaterThan(50); // an outburst is > 50 actives for at least one tick
    const table = outburstTable([row], 2, 400);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toMatch(/\| paper \[EP\] \| — \| 60 ± 55 /);
  });
});
