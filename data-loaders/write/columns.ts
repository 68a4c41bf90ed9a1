// Growable typed columns with a null mask, laid out the way DuckDB vectors are, so a whole
// stretch of rows is copied into a vector in one call instead of one call per value.

const INITIAL_CAPACITY = 4096;

/**
 * A column's contents as they cross to another thread (EventBatch.parts): its arrays are moved,
 * not copied, so the column they came from is left empty of them.
 */
export interface ColumnParts<Values extends Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer>> {
  values: Values;
  nulls: Uint8Array | null;
  length: number;
}

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
  values: Float64Array<ArrayBuffer>;
  readonly nulls = new NullMask();
  length = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.values = new Float64Array(Math.max(1, capacity));
  }

  push(value: number | null): void {
    if (this.length === this.values.length) this.values = grow(this.values);
    if (value === null) this.nulls.setNull(this.length, this.values.length);
    else this.values[this.length] = value;
    this.length++;
  }

  /** Adds the values of `from` at `rows` (every one when null), in that order. */
  appendRows(from: ColumnParts<Float64Array<ArrayBuffer>>, rows: Int32Array | null): void {
    const count = rows === null ? from.length : rows.length;
    while (this.values.length < this.length + count) this.values = grow(this.values);
    if (rows === null && from.nulls === null) {
      this.values.set(from.values.subarray(0, count), this.length);
      this.length += count;
      return;
    }
    for (let i = 0; i < count; i++) {
      const row = rows === null ? i : rows[i];
      if (isNullIn(from.nulls, row)) this.nulls.setNull(this.length, this.values.length);
      else this.values[this.length] = from.values[row];
      this.length++;
    }
  }
}

/** A nullable INTEGER column: status, ports, partitions and dictionary ids. */
export class Int32Column {
  values: Int32Array<ArrayBuffer>;
  readonly nulls = new NullMask();
  length = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.values = new Int32Array(Math.max(1, capacity));
  }

  push(value: number | null): void {
    if (this.length === this.values.length) this.values = grow(this.values);
    if (value === null) this.nulls.setNull(this.length, this.values.length);
    else this.values[this.length] = value;
    this.length++;
  }

  /**
   * Adds the values of `from` at `rows` (every one when null), in that order; for a column of
   * dictionary ids, each through `idHere` (the other batch's id → this batch's).
   */
  appendRows(from: ColumnParts<Int32Array<ArrayBuffer>>, rows: Int32Array | null, idHere: ((id: number) => number) | null = null): void {
    const count = rows === null ? from.length : rows.length;
    while (this.values.length < this.length + count) this.values = grow(this.values);
    if (rows === null && from.nulls === null && idHere === null) {
      this.values.set(from.values.subarray(0, count), this.length);
      this.length += count;
      return;
    }
    for (let i = 0; i < count; i++) {
      const row = rows === null ? i : rows[i];
      if (isNullIn(from.nulls, row)) this.nulls.setNull(this.length, this.values.length);
      else this.values[this.length] = idHere === null ? from.values[row] : idHere(from.values[row]);
      this.length++;
    }
  }
}

/** Whether row `row` is null in a null mask as NullMask lays it out (null: no mask, no nulls). */
export function isNullIn(nulls: Uint8Array | null, row: number): boolean {
  return nulls !== null && (nulls[row >> 3] & (1 << (row & 7))) === 0;
}

/** What `column` holds, to hand to another thread. */
export function columnParts<Values extends Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(column: {values: Values; nulls: NullMask; length: number}): ColumnParts<Values> {
  return {values: column.values, nulls: column.nulls.bytes, length: column.length};
}

/** `column` (new, empty) made to hold what `parts` holds: the arrays themselves, not copies. */
export function holding<Column extends Float64Column | Int32Column>(column: Column, parts: ColumnParts<Column["values"]>): Column {
  column.values = parts.values;
  column.nulls.bytes = parts.nulls;
  column.length = parts.length;
  return column;
}

function grow<T extends Float64Array | Int32Array>(values: T): T {
  const next = new (values.constructor as {new (length: number): T})(values.length * 2);
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
  // The value asked for last and its id: a line often repeats the line before's client, agent or
  // referrer (57–61% of the real log's), and comparing with the last spares hashing the new slice.
  private last: string | null = null;
  private lastId = -1;

  /** A dictionary of `values`, ids in their order: the values of another thread's dictionary, each distinct already. */
  static of(values: readonly string[]): Dictionary {
    const dictionary = new Dictionary();
    for (const value of values) {
      dictionary.ids.set(value, dictionary.values.length);
      dictionary.values.push(value);
    }
    return dictionary;
  }

  /** The id of `value`, and whether it was new. */
  idOf(value: string): number {
    if (value === this.last) return this.lastId;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      // A copy of its own: the value is often a slice of its line, which would keep the whole line
      // alive and scatter the dictionary's keys over the heap (every lookup compares against one).
      const copy = ownCopy(value);
      this.ids.set(copy, id);
      this.values.push(copy);
    }
    this.last = this.values[id];
    this.lastId = id;
    return id;
  }

  has(value: string): boolean {
    return this.ids.has(value);
  }

  get size(): number {
    return this.values.length;
  }
}

/** The string in fresh memory of its own, not a view of a longer one. */
function ownCopy(value: string): string {
  return JSON.parse(JSON.stringify(value)) as string;
}
