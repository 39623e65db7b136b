/**
 * Writing reports, figures and crates without surprises: every target is checked before
 * anything is written (no file the user did not name is replaced without --force), each file
 * is written to a temporary name and renamed, so a file that exists is a finished one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { UserError } from '../../scenario/errors.js';
import { CRATE_FILE, isPanopticonCrate, mergeCrates, type RoCrate } from '../report/rocrate.js';
import type { Figure } from '../types.js';
import { assertFontsRender, svgToPng } from './png.js';

/** Write a file so that it appears complete or not at all. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Refuse a path that is a folder, or an existing file without `force`. `flag` names the option. */
export function checkFileTarget(path: string, flag: string, force: boolean, protect: readonly string[] = []): void {
  const full = resolve(path);
  if (protect.some((p) => resolve(p) === full || `${resolve(p)}.wal` === full))
    throw new UserError(`${flag}: got ${path}, which is the results store; allowed: a new file path`);
  if (!existsSync(full)) return;
  if (statSync(full).isDirectory())
    throw new UserError(
      `${flag}: got ${path}, which is a folder; allowed: a file path (e.g. ${join(path, 'report.html')})`,
    );
  if (!force)
    throw new UserError(`${flag}: ${path} already exists; pass --force to replace it, or choose another name`);
}

export function checkFolderTarget(dir: string, flag: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new UserError(`${flag}: got ${dir}, which is a file; allowed: a folder (created if missing)`);
}

/** The files `writeFigures` would write for these figures. */
export function figureFiles(dir: string, figures: readonly Figure[]): string[] {
  return figures.flatMap((f) => ['svg', 'png', 'vl.json'].map((ext) => join(dir, `${f.id}.${ext}`)));
}

/** Refuse (unless `force`) when any of `paths` exists: list the first few. */
export function checkNoneExist(paths: readonly string[], flag: string, force: boolean): void {
  if (force) return;
  const there = paths.filter((p) => existsSync(p));
  if (there.length)
    throw new UserError(
      `${flag}: ${there.length} file${there.length > 1 ? 's' : ''} would be replaced (${there.slice(0, 3).join(', ')}${there.length > 3 ? ', …' : ''}); pass --force to replace them, or choose an empty folder`,
    );
}

/** Whether `dir` holds a crate file another tool wrote (which Panopticon leaves alone). */
export function foreignCrateIn(dir: string): boolean {
  const path = join(dir, CRATE_FILE);
  if (!existsSync(path)) return false;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    doc = undefined;
  }
  return !isPanopticonCrate(doc);
}

/**
 * Write the crate in `dir`, or extend the one Panopticon wrote there before (earlier files keep
 * their entries). A crate file written by another tool is left alone: returns null, and the
 * caller says so.
 */
export function writeCrate(dir: string, crate: RoCrate): string | null {
  const path = join(dir, CRATE_FILE);
  let out = crate;
  if (existsSync(path)) {
    if (foreignCrateIn(dir)) return null;
    out = mergeCrates(JSON.parse(readFileSync(path, 'utf8')) as RoCrate, crate);
  }
  writeAtomic(path, JSON.stringify(out, null, 2) + '\n');
  return path;
}

/** Each figure as SVG, PNG (2× zoom) and its Vega-Lite spec; returns the paths relative to `dir`. */
export function writeFigures(dir: string, figures: readonly Figure[], svgs: ReadonlyMap<string, string>): string[] {
  assertFontsRender();
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const f of figures) {
    const svg = svgs.get(f.id)!;
    writeAtomic(join(dir, `${f.id}.svg`), `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
    writeAtomic(join(dir, `${f.id}.png`), svgToPng(svg).png);
    writeAtomic(join(dir, `${f.id}.vl.json`), JSON.stringify(f.spec, null, 2) + '\n');
    written.push(...['svg', 'png', 'vl.json'].map((ext) => relative(dir, join(dir, `${f.id}.${ext}`))));
  }
  return written;
}
