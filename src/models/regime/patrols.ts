/**
 * Policing that feeds on its own detections [EN18]: each region's police patrol its cells in
 * proportion to the detections each cell has produced (remembered with `memory`, plus `prior`
 * detections credited to every cell, the urn's starting balls). Patrol strength multiplies
 * the police a cell has (mean 1 over a region's cells): more patrols see more, so a cell
 * that produced detections produces more, whatever its residents do — the runaway loop
 * Ensign et al. describe. With `correction`, each detection counts divided by the patrol
 * strength that found it (what a uniform patrol would have found), and allocation follows
 * the true rate of protest rather than its own history.
 *
 * Residents perceive the patrols too: perceived enforcers grow with patrol strength, so
 * concentration moves deterrence as well as detection. `patrol_misallocation` measures, per
 * region, how far patrols stand from the protest actually done in each cell (total
 * variation distance between the two shares: 0 when patrols follow protest exactly).
 */
import { z } from 'zod';
import type { GlobalContext } from '../../engine/model.js';
import { regimeLayout } from './layout.js';
import type { DetectionTally, Mechanism } from './mechanism.js';
import type { RegimeParams } from './params.js';
import { share } from './units.js';

export const patrolsParams = z
  .object({
    enabled: z.boolean().default(false),
    memory: share.default(0.95).describe('share of yesterday’s detections still weighing in where patrols go'),
    prior: z
      .number()
      .min(0.01)
      .max(1e6)
      .default(1)
      .describe('detections credited to every cell before any (the urn’s starting balls)'),
    correction: z
      .boolean()
      .default(false)
      .describe('count each detection divided by the patrol strength that found it'),
  })
  .strict()
  .prefault({});

export const patrols: Mechanism = {
  key: 'patrols',
  title: 'patrols allocated in proportion to past detections: the predictive-policing feedback loop',
  role: {
    changes: 'police detection and perceived police presence follow past detections, concentrating on some cells',
  },
  enabled: (p) => p.patrols.enabled,
  derived: [
    {
      name: 'patrol_misallocation',
      by: 'region',
      description: 'total variation distance between the shares of patrols and of protest across the region’s cells',
    },
  ],
  columns: (p, { cells }) =>
    p.patrols.enabled
      ? [
          // Patrol strength (region mean 1; 0 before the first allocation, read as 1).
          { name: 'cellPatrol', type: 'f32', length: cells },
          // Detections (corrected or not) and protests done, remembered.
          { name: 'cellFound', type: 'f32', length: cells },
          { name: 'cellTrue', type: 'f32', length: cells },
        ]
      : [],
  observe: (ctx) => {
    const q = ctx.params.patrols;
    if (!q.enabled) return null;
    const { cellPatrol, cellFound, cellTrue } = ctx.columns as Record<string, Float32Array>;
    return (c: number, seen: DetectionTally) => {
      const strength = patrolStrength(cellPatrol, c);
      const found = q.correction ? seen.protestsDetected / strength : seen.protestsDetected;
      cellFound[c] = q.memory * cellFound[c] + found;
      cellTrue[c] = q.memory * cellTrue[c] + seen.protests;
    };
  },
  phases: [{ name: 'patrols', at: 'detected', run: (ctx) => allocate(ctx) }],
};

/** A cell's patrol strength (1 before the first allocation, or without the mechanism). */
export function patrolStrength(cellPatrol: Float32Array | undefined, c: number): number {
  if (!cellPatrol) return 1;
  const s = cellPatrol[c];
  return s > 0 ? s : 1;
}

/** After the day's detection: each region's patrols in proportion to its cells' detections. */
function allocate(ctx: GlobalContext<RegimeParams>): void {
  const p = ctx.params;
  const layout = regimeLayout(p);
  const base = layout.metricTable.derivedBase('patrol_misallocation');
  if (!p.patrols.enabled) {
    for (let r = 0; r < layout.regions; r++) ctx.acc[base + r] = NaN;
    return;
  }
  const { cellPatrol, cellFound, cellTrue } = ctx.columns as Record<string, Float32Array>;
  const R = layout.regions;
  const weight = new Float64Array(R);
  const truth = new Float64Array(R);
  const cells = new Float64Array(R);
  for (let c = 0; c < layout.cells; c++) {
    const r = layout.cellRegion[c];
    weight[r] += cellFound[c] + p.patrols.prior;
    truth[r] += cellTrue[c];
    cells[r]++;
  }
  const distance = new Float64Array(R);
  for (let c = 0; c < layout.cells; c++) {
    const r = layout.cellRegion[c];
    const w = cellFound[c] + p.patrols.prior;
    cellPatrol[c] = (w * cells[r]) / weight[r];
    if (truth[r] > 0) distance[r] += Math.abs(w / weight[r] - cellTrue[c] / truth[r]) / 2;
  }
  for (let r = 0; r < R; r++) ctx.acc[base + r] = truth[r] > 0 ? distance[r] : NaN;
}
