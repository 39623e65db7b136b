/** The examples run, small, and say what they claim to show. */
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { cameraSweep } from '../examples/camera-sweep.js';
import { presetYear } from '../examples/regime-patterns.js';

describe('examples', () => {
  it('camera-sweep: camera detections grow with camera density, and none happen without cameras', async () => {
    const rows = await cameraSweep([0, 60, 240], 8000, 30);
    expect(rows.map((r) => r.camerasPerThousand)).toEqual([0, 60, 240]);
    expect(rows[0].detectedByCamera).toBe(0);
    expect(rows[0].falseMatches).toBe(0);
    // Detection probability is coverage × accuracy, and coverage rises with density until it
    // saturates: more cameras can only see more of the same (seeded) acts.
    expect(rows[2].detectedByCamera).toBeGreaterThan(rows[1].detectedByCamera);
    for (const r of rows) expect(r.postsWritten).toBeLessThanOrEqual(r.postsWanted);
  });

  it('regime-patterns: reduces a preset run to shares that are proper proportions', async () => {
    const y = await presetYear('high-intensity', 6000, 40, 1);
    expect(y.preset).toBe('high-intensity');
    for (const share of [
      y.meanActiveShare,
      y.finalLegitimacy,
      y.trueTipShare,
      y.preemptivePrecision,
      y.postsWrittenPerWanted,
    ]) {
      expect(share).toBeGreaterThanOrEqual(0);
      expect(share).toBeLessThanOrEqual(1);
    }
    expect(y.arrestsOfInnocents).toBeLessThanOrEqual(y.arrests);
    // The platform is monitored in this preset, so some criticism is self-censored.
    expect(y.postsWrittenPerWanted).toBeLessThan(1);
    // The risk score's bias and a 3× false-match rate fall on the targeted minority, so more of
    // it is held without an act of its own.
    expect(y.preemptiveDetentions).toBeGreaterThan(0);
    expect(y.heldUnjustlyLast).toBeGreaterThan(0);
    expect(y.heldUnjustlyFirst).toBeLessThan(y.heldUnjustlyLast);
    expect(Math.abs(y.legitimacyGap)).toBeLessThan(1);
  });

  it('results.sql: every query parses and runs against an empty store schema', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run(`CREATE TABLE runs (run_id TEXT, model TEXT, preset TEXT, seed BIGINT, steps INTEGER, agents BIGINT,
      status TEXT, wall_seconds DOUBLE, started_at TIMESTAMP)`);
    await con.run('CREATE TABLE metrics (run_id TEXT, tick INTEGER, metric TEXT, key TEXT, value DOUBLE)');
    const sql = readFileSync(new URL('../examples/results.sql', import.meta.url), 'utf8');
    const statements = sql
      .split(';')
      .map((s) => s.replace(/--.*$/gm, '').trim())
      .filter(Boolean);
    expect(statements.length).toBe(4);
    for (const statement of statements) await con.run(statement);
    con.closeSync();
  });
});
