import { describe, expect, it } from 'vitest';
import { Neighbourhood, Torus, neighbourhoodOffsets } from '../src/engine/lattice.js';

describe('neighbourhood offsets', () => {
  it('has the documented sizes', () => {
    expect(neighbourhoodOffsets('von-neumann', 7, false).dx.length).toBe(112); // Mesa, radius 7
    expect(neighbourhoodOffsets('von-neumann', 7, true).dx.length).toBe(113);
    expect(neighbourhoodOffsets('disc', 7, true).dx.length).toBe(149); // NetLogo in-radius 7
    expect(neighbourhoodOffsets('moore', 1, false).dx.length).toBe(8);
    expect(neighbourhoodOffsets('moore', 2, true).dx.length).toBe(25);
    // Real-valued radius 1.7 (paper runs 1, 6-8): von Neumann keeps N/S/E/W, disc adds diagonals (2 ≤ 2.89).
    expect(neighbourhoodOffsets('von-neumann', 1.7, false).dx.length).toBe(4);
    expect(neighbourhoodOffsets('disc', 1.7, true).dx.length).toBe(9);
    expect(neighbourhoodOffsets('disc', 0, false).dx.length).toBe(0);
  });

  it('respects each shape definition and the own-cell option', () => {
    for (const shape of ['von-neumann', 'moore', 'disc'] as const) {
      const { dx, dy } = neighbourhoodOffsets(shape, 3.5, false);
      for (let k = 0; k < dx.length; k++) {
        expect(dx[k] !== 0 || dy[k] !== 0).toBe(true);
        if (shape === 'von-neumann') expect(Math.abs(dx[k]) + Math.abs(dy[k])).toBeLessThanOrEqual(3.5);
        if (shape === 'disc') expect(dx[k] ** 2 + dy[k] ** 2).toBeLessThanOrEqual(3.5 ** 2);
        if (shape === 'moore') expect(Math.max(Math.abs(dx[k]), Math.abs(dy[k]))).toBeLessThanOrEqual(3);
      }
    }
  });
});

/** Brute force: every cell of the torus whose wrapped offset satisfies the shape. */
function bruteForce(
  t: Torus,
  shape: 'von-neumann' | 'moore' | 'disc',
  r: number,
  own: boolean,
  cell: number,
): number[] {
  const out: number[] = [];
  const cx = t.x(cell);
  const cy = t.y(cell);
  for (let c = 0; c < t.cells; c++) {
    let dx = Math.abs(t.x(c) - cx);
    let dy = Math.abs(t.y(c) - cy);
    dx = Math.min(dx, t.width - dx);
    dy = Math.min(dy, t.height - dy);
    if (dx === 0 && dy === 0 && !own) continue;
    const inside =
      shape === 'von-neumann' ? dx + dy <= r : shape === 'moore' ? Math.max(dx, dy) <= r : dx * dx + dy * dy <= r * r;
    if (inside) out.push(c);
  }
  return out.sort((a, b) => a - b);
}

describe('Neighbourhood on a torus', () => {
  const t = new Torus(19, 16);

  it('wraps around every edge and corner exactly like the brute-force torus distance', () => {
    for (const shape of ['von-neumann', 'moore', 'disc'] as const) {
      for (const own of [true, false]) {
        const nb = new Neighbourhood(t, shape, 4.5, own);
        const out = new Int32Array(nb.size);
        for (let cell = 0; cell < t.cells; cell++) {
          nb.cellsOf(cell, out);
          const got = Array.from(out).sort((a, b) => a - b);
          expect(got).toEqual(bruteForce(t, shape, 4.5, own, cell));
          for (let k = 0; k < nb.size; k++) expect(nb.at(cell, k)).toBe(out[k]);
        }
      }
    }
  });

  it('is symmetric, and addAll/sum agree with the brute force', () => {
    const nb = new Neighbourhood(t, 'disc', 3, true);
    const counts = new Int32Array(t.cells);
    const marks = new Int32Array(t.cells);
    const placed = [0, 18, 15 * 19, 15 * 19 + 18, 100, 101, 250];
    for (const c of placed) {
      nb.addAll(c, counts, 1);
      marks[c]++;
    }
    for (let c = 0; c < t.cells; c++) {
      const expected = bruteForce(t, 'disc', 3, true, c).reduce((s, d) => s + marks[d], 0);
      expect(counts[c]).toBe(expected); // symmetric: covered-by count = count within my window
      expect(nb.sum(c, marks)).toBe(expected);
    }
  });

  it('flags interior cells correctly and refuses a window larger than the torus', () => {
    const nb = new Neighbourhood(t, 'moore', 2, true);
    expect(nb.isInterior(t.index(2, 2))).toBe(true);
    expect(nb.isInterior(t.index(1, 5))).toBe(false);
    expect(nb.isInterior(t.index(16, 5))).toBe(true);
    expect(nb.isInterior(t.index(17, 5))).toBe(false);
    expect(t.index(-1, -1)).toBe(t.cells - 1);
    expect(() => new Neighbourhood(t, 'disc', 8, true)).toThrow(RangeError); // diameter 17 > height 16
  });
});
