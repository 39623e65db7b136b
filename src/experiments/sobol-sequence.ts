/**
 * Sobol' low-discrepancy sequence (unscrambled, Gray-code order, 32-bit), with the
 * direction numbers of Joe & Kuo (2008), "Constructing Sobol sequences with better
 * two-dimensional projections", SIAM J. Sci. Comput. 30:2635–2654 — the first 64
 * dimensions of their table new-joe-kuo-6.21201, as used by SALib and scipy.stats.qmc.
 *
 * Written here because no maintained npm package fits: the one package on npm (`sobol`
 * 1.1.4, a single release) builds its 52-bit direction numbers with JavaScript's 32-bit
 * shifts, which silently corrupts every point past 2^20, and it reads a 1.9 MB table
 * from disk at construction. The generator is 40 lines; test/experiment-designs.test.ts
 * checks it against scipy's points and the (0, m, s)-net property.
 */

/** Rows for dimensions 2..64: [degree s, polynomial coefficients a, initial m_1..m_s]. */
const JOE_KUO: readonly (readonly [number, number, readonly number[]])[] = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
  [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]],
  [5, 14, [1, 3, 5, 5, 31]],
  [6, 1, [1, 3, 3, 9, 7, 49]],
  [6, 13, [1, 1, 1, 15, 21, 21]],
  [6, 16, [1, 3, 1, 13, 27, 49]],
  [6, 19, [1, 1, 1, 15, 7, 5]],
  [6, 22, [1, 3, 1, 15, 13, 25]],
  [6, 25, [1, 1, 5, 5, 19, 61]],
  [7, 1, [1, 3, 7, 11, 23, 15, 103]],
  [7, 4, [1, 3, 7, 13, 13, 15, 69]],
  [7, 7, [1, 1, 3, 13, 7, 35, 63]],
  [7, 8, [1, 3, 5, 9, 1, 25, 53]],
  [7, 14, [1, 3, 1, 13, 9, 35, 107]],
  [7, 19, [1, 3, 1, 5, 27, 61, 31]],
  [7, 21, [1, 1, 5, 11, 19, 41, 61]],
  [7, 28, [1, 3, 5, 3, 3, 13, 69]],
  [7, 31, [1, 1, 7, 13, 1, 19, 1]],
  [7, 32, [1, 3, 7, 5, 13, 19, 59]],
  [7, 37, [1, 1, 3, 9, 25, 29, 41]],
  [7, 41, [1, 3, 5, 13, 23, 1, 55]],
  [7, 42, [1, 3, 7, 3, 13, 59, 17]],
  [7, 50, [1, 3, 1, 3, 5, 53, 69]],
  [7, 55, [1, 1, 5, 5, 23, 33, 13]],
  [7, 56, [1, 1, 7, 7, 1, 61, 123]],
  [7, 59, [1, 1, 7, 9, 13, 61, 49]],
  [7, 62, [1, 3, 3, 5, 3, 55, 33]],
  [8, 14, [1, 3, 1, 15, 31, 13, 49, 245]],
  [8, 21, [1, 3, 5, 15, 31, 59, 63, 97]],
  [8, 22, [1, 3, 1, 11, 11, 11, 77, 249]],
  [8, 38, [1, 3, 1, 11, 27, 43, 71, 9]],
  [8, 47, [1, 1, 7, 15, 21, 11, 81, 45]],
  [8, 49, [1, 3, 7, 3, 25, 31, 65, 79]],
  [8, 50, [1, 3, 1, 1, 19, 11, 3, 205]],
  [8, 52, [1, 1, 5, 9, 19, 21, 29, 157]],
  [8, 56, [1, 3, 7, 11, 1, 33, 89, 185]],
  [8, 67, [1, 3, 3, 3, 15, 9, 79, 71]],
  [8, 70, [1, 3, 7, 11, 15, 39, 119, 27]],
  [8, 84, [1, 1, 3, 1, 11, 31, 97, 225]],
  [8, 97, [1, 1, 1, 3, 23, 43, 57, 177]],
  [8, 103, [1, 3, 7, 7, 17, 17, 37, 71]],
  [8, 115, [1, 3, 1, 5, 27, 63, 123, 213]],
  [8, 122, [1, 1, 3, 5, 11, 43, 53, 133]],
  [9, 8, [1, 3, 5, 5, 29, 17, 47, 173, 479]],
  [9, 13, [1, 3, 3, 11, 3, 1, 109, 9, 69]],
  [9, 16, [1, 1, 1, 5, 17, 39, 23, 5, 343]],
  [9, 22, [1, 3, 1, 5, 25, 15, 31, 103, 499]],
  [9, 25, [1, 1, 1, 11, 11, 17, 63, 105, 183]],
  [9, 44, [1, 1, 5, 11, 9, 29, 97, 231, 363]],
  [9, 47, [1, 1, 5, 15, 19, 45, 41, 7, 383]],
  [9, 52, [1, 3, 7, 7, 31, 19, 83, 137, 221]],
  [9, 55, [1, 1, 1, 3, 23, 15, 111, 223, 83]],
  [9, 59, [1, 1, 5, 13, 31, 15, 55, 25, 161]],
  [9, 62, [1, 1, 3, 13, 25, 47, 39, 87, 257]],
];

export const SOBOL_MAX_DIMENSION = JOE_KUO.length + 1;
const BITS = 32;

function directions(dims: number): Uint32Array[] {
  const v: Uint32Array[] = [];
  const first = new Uint32Array(BITS);
  for (let i = 0; i < BITS; i++) first[i] = 2 ** (BITS - 1 - i);
  v.push(first);
  for (let d = 1; d < dims; d++) {
    const [s, a, m] = JOE_KUO[d - 1];
    const dir = new Uint32Array(BITS);
    for (let i = 0; i < Math.min(s, BITS); i++) dir[i] = (m[i] * 2 ** (BITS - 1 - i)) >>> 0;
    for (let i = s; i < BITS; i++) {
      let x = (dir[i - s] ^ (dir[i - s] >>> s)) >>> 0;
      for (let k = 1; k < s; k++) if ((a >>> (s - 1 - k)) & 1) x = (x ^ dir[i - k]) >>> 0;
      dir[i] = x;
    }
    v.push(dir);
  }
  return v;
}

/**
 * The first `n` points of the `dims`-dimensional Sobol' sequence, point 0 (the origin)
 * included, as rows in [0, 1). Callers that must avoid the origin skip it themselves.
 */
export function sobolPoints(n: number, dims: number): number[][] {
  if (!Number.isInteger(dims) || dims < 1 || dims > SOBOL_MAX_DIMENSION)
    throw new RangeError(`Sobol' dimension must be an integer in [1, ${SOBOL_MAX_DIMENSION}], got ${dims}`);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** BITS)
    throw new RangeError(`Sobol' point count must be an integer in [0, 2^32], got ${n}`);
  const v = directions(dims);
  const x = new Uint32Array(dims);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      // Gray code: point i differs from point i−1 by the direction of i−1's lowest zero bit.
      let c = 0;
      for (let k = i - 1; k & 1; k >>>= 1) c++;
      for (let d = 0; d < dims; d++) x[d] = (x[d] ^ v[d][c]) >>> 0;
    }
    out.push(Array.from(x, (xi) => xi / 2 ** BITS));
  }
  return out;
}
