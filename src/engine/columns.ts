import { columnBytes, type ColumnSpec, type ColumnType, type TypedColumn } from './model.js';

/** Largest element count of one typed array on V8 (2^32); a column must stay below it. */
export const MAX_COLUMN_LENGTH = 2 ** 32 - 1;

export type ColumnBuffers = Record<string, ArrayBufferLike>;

function view(type: ColumnType, buffer: ArrayBufferLike, length: number): TypedColumn {
  switch (type) {
    case 'u8':
      return new Uint8Array(buffer, 0, length);
    case 'i8':
      return new Int8Array(buffer, 0, length);
    case 'u16':
      return new Uint16Array(buffer, 0, length);
    case 'i16':
      return new Int16Array(buffer, 0, length);
    case 'u32':
      return new Uint32Array(buffer, 0, length);
    case 'i32':
      return new Int32Array(buffer, 0, length);
    case 'f32':
      return new Float32Array(buffer, 0, length);
    case 'f64':
      return new Float64Array(buffer, 0, length);
  }
}

/** Bytes a set of columns occupies. */
export function columnsBytes(specs: readonly ColumnSpec[]): number {
  let total = 0;
  for (const s of specs) total += s.length * columnBytes(s.type);
  return total;
}

/**
 * Allocate zeroed columns. `shared` puts them on SharedArrayBuffers so worker threads
 * can read and write them in place (no copies per tick).
 */
export function allocateColumns(
  specs: readonly ColumnSpec[],
  shared: boolean,
): { columns: Record<string, TypedColumn>; buffers: ColumnBuffers } {
  const columns: Record<string, TypedColumn> = {};
  const buffers: ColumnBuffers = {};
  for (const spec of specs) {
    if (spec.name in columns) throw new Error(`column "${spec.name}" is declared twice`);
    if (!Number.isInteger(spec.length) || spec.length < 0 || spec.length > MAX_COLUMN_LENGTH) {
      throw new RangeError(`column "${spec.name}" length ${spec.length} is outside [0, 2^32)`);
    }
    const bytes = Math.max(1, spec.length * columnBytes(spec.type));
    const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    buffers[spec.name] = buffer;
    columns[spec.name] = view(spec.type, buffer, spec.length);
  }
  return { columns, buffers };
}

/** Rebuild column views over buffers received from another thread. */
export function attachColumns(specs: readonly ColumnSpec[], buffers: ColumnBuffers): Record<string, TypedColumn> {
  const columns: Record<string, TypedColumn> = {};
  for (const spec of specs) {
    const buffer = buffers[spec.name];
    if (!buffer) throw new Error(`no buffer for column "${spec.name}"`);
    columns[spec.name] = view(spec.type, buffer, spec.length);
  }
  return columns;
}
