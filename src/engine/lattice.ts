/**
 * A 2-D torus lattice and its neighbourhoods, model-agnostic.
 *
 * Cells are numbered row-major: cell = y·width + x. A neighbourhood is a list of offsets
 * (dx, dy) computed once for a shape and a real-valued radius r:
 *   - 'von-neumann': |dx| + |dy| ≤ r  (Mesa's OrthogonalVonNeumannGrid; r = 7 → 113 cells, 112 without own)
 *   - 'moore':       max(|dx|, |dy|) ≤ r
 *   - 'disc':        dx² + dy² ≤ r²    (NetLogo `in-radius` between patch centres; r = 7 → 149 cells incl. own)
 * Offsets are listed row by row (dy, then dx, ascending), so draws that index them are
 * reproducible. Every query touches only the cells of the neighbourhood, never the grid:
 * interior cells use precomputed flat index deltas, cells near an edge wrap per offset.
 *
 * The lattice must be wider and taller than the neighbourhood's diameter (2·reach + 1),
 * otherwise an offset would wrap onto a cell already listed; the constructor refuses that.
 */

export type NeighbourhoodShape = 'von-neumann' | 'moore' | 'disc';

export class Torus {
  readonly width: number;
  readonly height: number;
  readonly cells: number;

  constructor(width: number, height: number) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`torus size must be positive integers, got ${width}×${height}`);
    }
    if (width * height > 2 ** 31 - 1) throw new RangeError(`torus ${width}×${height} has more than 2^31 - 1 cells`);
    this.width = width;
    this.height = height;
    this.cells = width * height;
  }

  /** Cell index of (x, y), wrapping both coordinates (any integers). */
  index(x: number, y: number): number {
    const w = this.width;
    const h = this.height;
    const wx = ((x % w) + w) % w;
    const wy = ((y % h) + h) % h;
    return wy * w + wx;
  }

  x(cell: number): number {
    return cell % this.width;
  }

  y(cell: number): number {
    return Math.floor(cell / this.width);
  }
}

/** Offsets (dx, dy) of a neighbourhood, row by row; own cell (0, 0) first-class when included. */
export function neighbourhoodOffsets(
  shape: NeighbourhoodShape,
  radius: number,
  includeOwn: boolean,
): { dx: Int32Array; dy: Int32Array } {
  if (!(radius >= 0) || !Number.isFinite(radius))
    throw new RangeError(`radius must be a finite number ≥ 0, got ${radius}`);
  const reach = Math.floor(radius);
  const r2 = radius * radius;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let dy = -reach; dy <= reach; dy++) {
    for (let dx = -reach; dx <= reach; dx++) {
      if (dx === 0 && dy === 0 && !includeOwn) continue;
      let inside: boolean;
      if (shape === 'von-neumann') inside = Math.abs(dx) + Math.abs(dy) <= radius;
      else if (shape === 'moore')
        inside = true; // max(|dx|,|dy|) ≤ reach ≤ r by the loop bounds
      else inside = dx * dx + dy * dy <= r2;
      if (inside) {
        xs.push(dx);
        ys.push(dy);
      }
    }
  }
  return { dx: Int32Array.from(xs), dy: Int32Array.from(ys) };
}

/** Half-width per |dy| if each row is a symmetric contiguous run of offsets, else null. */
function rowHalfWidths(dx: Int32Array, dy: Int32Array, reach: number): Int32Array | null {
  const hw = new Int32Array(reach + 1).fill(-1);
  const rows = new Map<number, number[]>();
  for (let k = 0; k < dx.length; k++) {
    const row = rows.get(dy[k]) ?? [];
    row.push(dx[k]);
    rows.set(dy[k], row);
  }
  for (let y = -reach; y <= reach; y++) {
    const row = rows.get(y) ?? [];
    const h = row.length === 0 ? -1 : Math.max(...row);
    if (row.length > 0 && (row.length !== 2 * h + 1 || Math.min(...row) !== -h)) return null; // gap or asymmetry
    if (y < 0) hw[-y] = h;
    else if (hw[y] !== h && y > 0)
      return null; // rows dy and −dy differ
    else hw[y] = h;
  }
  return hw;
}

/** A neighbourhood bound to one torus: queries by cell index. */
export class Neighbourhood {
  readonly torus: Torus;
  readonly shape: NeighbourhoodShape;
  readonly radius: number;
  readonly includeOwn: boolean;
  /** Largest |dx| or |dy| of any offset. */
  readonly reach: number;
  /** Number of cells in the neighbourhood. */
  readonly size: number;
  readonly dx: Int32Array;
  readonly dy: Int32Array;
  /** Flat index delta dy·width + dx, valid for interior cells. */
  readonly delta: Int32Array;
  /**
   * Row half-widths: if every row dy of the neighbourhood is the full interval
   * dx ∈ [−hw, hw] with hw = rowHalfWidth[|dy|] (−1 = empty row), this lists them by |dy|
   * (0 … reach); otherwise null. True for all three shapes when the own cell is included.
   * It lets a caller treat a window as reach·2+1 contiguous row runs, e.g. to update only
   * the cells where two overlapping windows differ.
   */
  readonly rowHalfWidth: Int32Array | null;

  constructor(torus: Torus, shape: NeighbourhoodShape, radius: number, includeOwn: boolean) {
    const { dx, dy } = neighbourhoodOffsets(shape, radius, includeOwn);
    const reach = Math.floor(radius);
    if (2 * reach + 1 > torus.width || 2 * reach + 1 > torus.height) {
      throw new RangeError(
        `a radius-${radius} neighbourhood (diameter ${2 * reach + 1}) does not fit on a ${torus.width}×${torus.height} torus without wrapping onto itself`,
      );
    }
    this.torus = torus;
    this.shape = shape;
    this.radius = radius;
    this.includeOwn = includeOwn;
    this.reach = reach;
    this.size = dx.length;
    this.dx = dx;
    this.dy = dy;
    this.delta = new Int32Array(dx.length);
    for (let k = 0; k < dx.length; k++) this.delta[k] = dy[k] * torus.width + dx[k];
    this.rowHalfWidth = rowHalfWidths(dx, dy, reach);
  }

  /** True if no offset of `cell` wraps around an edge. */
  isInterior(cell: number): boolean {
    const w = this.torus.width;
    const x = cell % w;
    const y = (cell - x) / w;
    const r = this.reach;
    return x >= r && x < w - r && y >= r && y < this.torus.height - r;
  }

  /** The k-th neighbour of `cell` (0 ≤ k < size). */
  at(cell: number, k: number): number {
    const w = this.torus.width;
    const h = this.torus.height;
    const x = cell % w;
    const y = (cell - x) / w;
    let nx = x + this.dx[k];
    let ny = y + this.dy[k];
    if (nx < 0) nx += w;
    else if (nx >= w) nx -= w;
    if (ny < 0) ny += h;
    else if (ny >= h) ny -= h;
    return ny * w + nx;
  }

  /** Write the neighbours of `cell` into `out` (length ≥ size), in offset order; returns size. */
  cellsOf(cell: number, out: Int32Array | Uint32Array): number {
    const n = this.size;
    if (this.isInterior(cell)) {
      const d = this.delta;
      for (let k = 0; k < n; k++) out[k] = cell + d[k];
      return n;
    }
    const w = this.torus.width;
    const h = this.torus.height;
    const x = cell % w;
    const y = (cell - x) / w;
    for (let k = 0; k < n; k++) {
      let nx = x + this.dx[k];
      let ny = y + this.dy[k];
      if (nx < 0) nx += w;
      else if (nx >= w) nx -= w;
      if (ny < 0) ny += h;
      else if (ny >= h) ny -= h;
      out[k] = ny * w + nx;
    }
    return n;
  }

  /** values[c] += v for every cell c of the neighbourhood of `cell`. */
  addAll(cell: number, values: Uint16Array | Int32Array | Uint32Array | Float64Array, v: number): void {
    const n = this.size;
    if (this.isInterior(cell)) {
      const d = this.delta;
      for (let k = 0; k < n; k++) values[cell + d[k]] += v;
      return;
    }
    const w = this.torus.width;
    const h = this.torus.height;
    const x = cell % w;
    const y = (cell - x) / w;
    const dxs = this.dx;
    const dys = this.dy;
    for (let k = 0; k < n; k++) {
      let nx = x + dxs[k];
      let ny = y + dys[k];
      if (nx < 0) nx += w;
      else if (nx >= w) nx -= w;
      if (ny < 0) ny += h;
      else if (ny >= h) ny -= h;
      values[ny * w + nx] += v;
    }
  }

  /** Sum of values[c] over the neighbourhood of `cell`. */
  sum(cell: number, values: ArrayLike<number>): number {
    const n = this.size;
    let s = 0;
    if (this.isInterior(cell)) {
      const d = this.delta;
      for (let k = 0; k < n; k++) s += values[cell + d[k]];
      return s;
    }
    for (let k = 0; k < n; k++) s += values[this.at(cell, k)];
    return s;
  }
}
