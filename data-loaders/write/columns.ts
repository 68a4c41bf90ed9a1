// Growable typed columns with a null mask, laid out the way DuckDB vectors are, so a whole
// stretch of rows is copied into a vector in one call instead of one call per value.

const INITIAL_CAPACITY = 4096;

/**
 * Null mask in DuckDB's layout: bit i of 64-bit word i/64, little-endian, so byte i>>3 bit i&7.
 * Allocated lazily: a column with no nulls never has one.
 */
export class NullMask {
  bytes: Uint8Array | null = null;

  setNull(row: number, capacity: number): void {
    if (this.bytes === null || this.bytes.length * 8 < capacity) this.grow(capacity);
    this.bytes![row >> 3] &= ~(1 << (row & 7));
  }

  private grow(capacity: number): void {
    const next = new Uint8Array(Math.ceil(capacity / 64) * 8).fill(0xff);
    if (this.bytes) next.set(this.bytes);
    this.bytes = next;
  }
}

// Float64Column and Int32Column are alike on purpose: one class over either array would make
// every push in the per-event loop see two kinds of typed array, which V8 handles more slowly.

/** A nullable DOUBLE column: timestamps in ms, byte counts, offsets (exact below 2^53). */
export class Float64Column {
  values = new Float64Array(INITIAL_CAPACITY);
  readonly nulls = new NullMask();
  length = 0;

  push(value: number | null): void {
    if (this.length === this.values.length) this.values = grow(this.values);
    if (value === null) this.nulls.setNull(this.length, this.values.length);
    else this.values[this.length] = value;
    this.length++;
  }

  /** Appends `source`'s rows, or only those `keep` marks with 1 (a piece of a batch, write/batch-piece.ts). */
  append(source: ColumnRows<Float64Array>, keep: Uint8Array | null): void {
    const added = keep === null ? source.length : countKept(keep, source.length);
    if (this.length + added > this.values.length) this.values = grow(this.values, this.length + added);
    this.length = appendRows(this.values, this.nulls, this.length, source, keep);
  }
}

/** A nullable INTEGER column: status, ports, partitions and dictionary ids. */
export class Int32Column {
  values = new Int32Array(INITIAL_CAPACITY);
  readonly nulls = new NullMask();
  length = 0;

  push(value: number | null): void {
    if (this.length === this.values.length) this.values = grow(this.values);
    if (value === null) this.nulls.setNull(this.length, this.values.length);
    else this.values[this.length] = value;
    this.length++;
  }

  /** Appends `source`'s rows, or only those `keep` marks with 1 (a piece of a batch, write/batch-piece.ts). */
  append(source: ColumnRows<Int32Array>, keep: Uint8Array | null): void {
    const added = keep === null ? source.length : countKept(keep, source.length);
    if (this.length + added > this.values.length) this.values = grow(this.values, this.length + added);
    this.length = appendRows(this.values, this.nulls, this.length, source, keep);
  }
}

/** A column's rows as they travel between threads: its values, its null mask (null when none is null) and its length. */
export interface ColumnRows<T extends Float64Array | Int32Array> {
  values: T;
  nulls: Uint8Array | null;
  length: number;
}

/** Copies the kept rows of `source` after row `at` of `values` (which has room), nulls included; returns the new length. */
function appendRows<T extends Float64Array | Int32Array>(values: T, nulls: NullMask, at: number, source: ColumnRows<T>, keep: Uint8Array | null): number {
  const sourceNulls = source.nulls;
  if (keep === null) {
    values.set(source.values.subarray(0, source.length), at);
    if (sourceNulls !== null) {
      for (let i = 0; i < source.length; i++) if (isNullAt(sourceNulls, i)) nulls.setNull(at + i, values.length);
    }
    return at + source.length;
  }
  let row = at;
  for (let i = 0; i < source.length; i++) {
    if (keep[i] === 0) continue;
    if (sourceNulls !== null && isNullAt(sourceNulls, i)) nulls.setNull(row, values.length);
    else values[row] = source.values[i];
    row++;
  }
  return row;
}

function isNullAt(mask: Uint8Array, i: number): boolean {
  return i >> 3 < mask.length && (mask[i >> 3] & (1 << (i & 7))) === 0;
}

function countKept(keep: Uint8Array, length: number): number {
  let kept = 0;
  for (let i = 0; i < length; i++) kept += keep[i];
  return kept;
}

function grow<T extends Float64Array | Int32Array>(values: T, atLeast = values.length * 2): T {
  const next = new (values.constructor as {new (length: number): T})(Math.max(values.length * 2, atLeast));
  next.set(values);
  return next;
}

/**
 * Gives each distinct string a small integer id, in order of first appearance. Strings repeat
 * heavily in access logs (IPs, agents, URLs), so each distinct one is enriched and written once.
 */
export class Dictionary {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  /** The id of `value`, and whether it was new. */
  idOf(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      // A copy of its own: the value is often a slice of its line, which would keep the whole line
      // alive and scatter the dictionary's keys over the heap (every lookup compares against one).
      const copy = ownCopy(value);
      this.ids.set(copy, id);
      this.values.push(copy);
    }
    return id;
  }

  has(value: string): boolean {
    return this.ids.has(value);
  }

  /**
   * Adds values another thread's dictionary gave the next ids (write/batch-piece.ts), so that its
   * ids mean the same here. Each must be new: a value seen twice means the two are out of step.
   */
  addNew(values: readonly string[]): void {
    for (const value of values) {
      if (this.ids.has(value)) throw new Error(`dictionary out of step: ${JSON.stringify(value.slice(0, 80))} is already id ${this.ids.get(value)}`);
      this.ids.set(value, this.values.length);
      this.values.push(value);
    }
  }

  get size(): number {
    return this.values.length;
  }
}

/** The string in fresh memory of its own, not a view of a longer one. */
function ownCopy(value: string): string {
  return JSON.parse(JSON.stringify(value)) as string;
}
