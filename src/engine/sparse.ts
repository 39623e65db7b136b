/**
 * Sparse counts: per-shard maps from an agent to a positive integer (a rare state's
 * countdown, say), for state that few agents hold at any time. A column would cost every
 * agent its bytes and, over a long run, touch every memory page; a map costs only the
 * agents in it.
 *
 * The maps of one name live in one growable buffer (an arena), shared between threads, so
 * that whichever thread runs a shard can use its map: executors may hand a shard to any
 * worker on any tick. Each shard's map is an open-addressing table (linear probing, at most
 * half full) in the arena. A table that would pass half full moves to a region twice its
 * size, taken from the arena's end by an atomic bump pointer; the arena grows when that
 * runs past its length. Only one thread works on a shard at a time, so a table needs no
 * locks: only the bump pointer and the arena's growth are shared between threads.
 *
 * Iteration order never shows (there is no iteration), so results cannot depend on where
 * a table sits in the arena.
 */

/** Buffers of one name's maps: plain data, so they can cross to worker threads. */
export interface SparseBuffers {
  /** Word 0: the next free word. Then the tables: pairs of (agent + 1, value) words. */
  readonly arena: ArrayBufferLike;
  /** Per shard: the table's first word, its capacity in slots (0: none yet) and its size. */
  readonly tables: ArrayBufferLike;
}

/** A growable buffer's ceiling on this runtime: V8 accepts up to 2^32 bytes. */
export const MAX_ARENA_BYTES = 2 ** 32;
const INITIAL_ARENA_BYTES = 1 << 16;
const FIRST_CAPACITY = 16;
const OFFSET = 0;
const CAPACITY = 1;
const SIZE = 2;

type Growable = ArrayBufferLike & { grow?(n: number): void; resize?(n: number): void };

/** Allocate the (empty) maps of `shards` shards; shared buffers when threads will use them. */
export function allocateSparse(shards: number, shared: boolean): SparseBuffers {
  // Growable and resizable buffers are ES2024; the project's TypeScript lib is ES2022.
  const Arena = (shared ? SharedArrayBuffer : ArrayBuffer) as unknown as new (
    bytes: number,
    options: { maxByteLength: number },
  ) => ArrayBufferLike;
  const arena = new Arena(INITIAL_ARENA_BYTES, { maxByteLength: MAX_ARENA_BYTES });
  new Uint32Array(arena)[0] = 1;
  const tableBytes = Math.max(1, shards) * 3 * 4;
  const tables = shared ? new SharedArrayBuffer(tableBytes) : new ArrayBuffer(tableBytes);
  return { arena, tables };
}

/** Bytes the maps hold now (the arena's committed length and the table directory). */
export function sparseBytes(b: SparseBuffers): number {
  return b.arena.byteLength + b.tables.byteLength;
}

/** One shard's map. */
export class ShardCounts {
  // Length-tracking: sees the arena grow, from whichever thread grew it.
  private readonly words: Uint32Array;
  private readonly dir: Uint32Array;
  private readonly t: number;

  constructor(
    private readonly name: string,
    private readonly buffers: SparseBuffers,
    shard: number,
  ) {
    this.words = new Uint32Array(buffers.arena);
    this.dir = new Uint32Array(buffers.tables);
    this.t = shard * 3;
  }

  /** Agents in the map. */
  get size(): number {
    return this.dir[this.t + SIZE];
  }

  /** The value of agent i (0: not in the map). */
  get(i: number): number {
    const capacity = this.dir[this.t + CAPACITY];
    if (capacity === 0) return 0;
    const { words } = this;
    const base = this.dir[this.t + OFFSET];
    const key = i + 1;
    const mask = capacity - 1;
    for (let h = home(i, capacity); ; h = (h + 1) & mask) {
      const k = words[base + 2 * h];
      if (k === key) return words[base + 2 * h + 1];
      if (k === 0) return 0;
    }
  }

  /** Set agent i's value; 0 removes it. Values are integers in [0, 2^32). */
  set(i: number, value: number): void {
    if (value === 0) {
      this.remove(i);
      return;
    }
    const { dir, t, words } = this;
    let capacity = dir[t + CAPACITY];
    if (capacity !== 0) {
      const slot = this.find(i, capacity);
      if (words[slot] === i + 1) {
        words[slot + 1] = value;
        return;
      }
    }
    if (2 * (dir[t + SIZE] + 1) > capacity) capacity = this.move(Math.max(FIRST_CAPACITY, 2 * capacity));
    const slot = this.find(i, capacity);
    words[slot] = i + 1;
    words[slot + 1] = value;
    dir[t + SIZE]++;
  }

  /** The word at which agent i sits, or the empty slot where it would go. */
  private find(i: number, capacity: number): number {
    const { words } = this;
    const base = this.dir[this.t + OFFSET];
    const key = i + 1;
    const mask = capacity - 1;
    for (let h = home(i, capacity); ; h = (h + 1) & mask) {
      const w = base + 2 * h;
      const k = words[w];
      if (k === key || k === 0) return w;
    }
  }

  /** Remove agent i, shifting later entries of its probe run back (no tombstones). */
  private remove(i: number): void {
    const { dir, t, words } = this;
    const capacity = dir[t + CAPACITY];
    if (capacity === 0) return;
    const base = dir[t + OFFSET];
    const mask = capacity - 1;
    let hole = (this.find(i, capacity) - base) / 2;
    if (words[base + 2 * hole] !== i + 1) return;
    for (let j = (hole + 1) & mask; words[base + 2 * j] !== 0; j = (j + 1) & mask) {
      const h = home(words[base + 2 * j] - 1, capacity);
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < h && h <= j : hole < h || h <= j;
      if (stays) continue;
      words[base + 2 * hole] = words[base + 2 * j];
      words[base + 2 * hole + 1] = words[base + 2 * j + 1];
      hole = j;
    }
    words[base + 2 * hole] = 0;
    words[base + 2 * hole + 1] = 0;
    dir[t + SIZE]--;
  }

  /** Move the table to a fresh region of `capacity` slots; the old region is left unused. */
  private move(capacity: number): number {
    const { dir, t } = this;
    const need = 2 * capacity;
    const base = Atomics.add(this.words, 0, need);
    const end = (base + need) * 4;
    if (end > MAX_ARENA_BYTES) {
      throw new RangeError(
        `sparse map "${this.name}" is full: its arena would need ${end} bytes, more than the ${MAX_ARENA_BYTES} a growable buffer may hold here; declare it a column instead`,
      );
    }
    growTo(this.buffers.arena as Growable, end);
    const oldBase = dir[t + OFFSET];
    const oldCapacity = dir[t + CAPACITY];
    dir[t + OFFSET] = base;
    dir[t + CAPACITY] = capacity;
    const { words } = this;
    for (let s = 0; s < oldCapacity; s++) {
      const k = words[oldBase + 2 * s];
      if (k === 0) continue;
      const slot = this.find(k - 1, capacity);
      words[slot] = k;
      words[slot + 1] = words[oldBase + 2 * s + 1];
    }
    return capacity;
  }
}

/** Grow the arena to at least `bytes`; other threads may be growing it at the same time. */
function growTo(arena: Growable, bytes: number): void {
  while (arena.byteLength < bytes) {
    const target = Math.min(MAX_ARENA_BYTES, Math.max(bytes, 2 * arena.byteLength));
    try {
      if (arena.grow) arena.grow(target);
      else arena.resize!(target);
    } catch (e) {
      // Growing never fails for lack of room below the ceiling, only when another thread
      // grew the arena past `target` (≥ bytes) meanwhile: then the loop ends.
      if (arena.byteLength < bytes) throw e;
    }
  }
}

/** A slot in [0, capacity) for agent i: Fibonacci hashing, so neighbours spread out. */
function home(i: number, capacity: number): number {
  return Math.imul(i, 0x9e3779b1) >>> (32 - (31 - Math.clz32(capacity)));
}
