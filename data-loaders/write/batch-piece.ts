// A piece of a batch: the rows one object added to a batch on the parse side (a worker thread),
// with the dictionary values first seen in them, in a form that crosses threads with its typed
// arrays moved, not copied. The thread that writes keeps a batch whose dictionaries follow the
// parse side's in step (the same values in the same order), so the ids in the rows need no
// remapping: appending a piece copies typed arrays and adds only the values new to the batch.
import type {RejectedLine} from "../event.js";
import type {ColumnRows} from "./columns.js";
import {DICTIONARY_FIELDS, DOUBLE_ROW_FIELDS, INTEGER_ROW_FIELDS, PER_VALUE_FIELDS, type DoubleRowField, type EventBatch, type IntegerRowField} from "./event-batch.js";

type DictionaryField = (typeof DICTIONARY_FIELDS)[number];
type PerValueField = (typeof PER_VALUE_FIELDS)[number];

export interface BatchPiece {
  doubles: Record<DoubleRowField, ColumnRows<Float64Array>>;
  integers: Record<IntegerRowField, ColumnRows<Int32Array>>;
  rejected: RejectedLine[];
  /** Each dictionary's values first seen in this piece, and how many it held before them. */
  newValues: Record<DictionaryField, {from: number; values: string[]}>;
  /** Each per-value list's new entries (a URL's path and query, a referrer's host, an origin), likewise. */
  newPerValue: {[F in PerValueField]: {from: number; values: EventBatch[F]}};
}

/**
 * Cuts pieces from a parse-side batch: each holds the rows added since the last cut and the
 * values its dictionaries gained since. `batch` must gain rows only between cuts.
 */
export class PieceCutter {
  private readonly seen = new Map<string, number>();

  constructor(private readonly batch: EventBatch) {}

  cut(): BatchPiece {
    const {batch} = this;
    const rows = batch.takeRows();
    const doubles = {} as BatchPiece["doubles"];
    for (const field of DOUBLE_ROW_FIELDS) doubles[field] = columnRows(rows[field]);
    const integers = {} as BatchPiece["integers"];
    for (const field of INTEGER_ROW_FIELDS) integers[field] = columnRows(rows[field]);
    const newValues = {} as BatchPiece["newValues"];
    for (const field of DICTIONARY_FIELDS) {
      const from = this.seen.get(field) ?? 0;
      newValues[field] = {from, values: batch[field].values.slice(from)};
      this.seen.set(field, batch[field].size);
    }
    const newPerValue = {} as Record<PerValueField, {from: number; values: unknown[]}>;
    for (const field of PER_VALUE_FIELDS) {
      const from = this.seen.get(field) ?? 0;
      newPerValue[field] = {from, values: batch[field].slice(from)};
      this.seen.set(field, batch[field].length);
    }
    return {doubles, integers, rejected: rows.rejected, newValues, newPerValue: newPerValue as BatchPiece["newPerValue"]};
  }
}

function columnRows<T extends Float64Array | Int32Array>(column: {values: T; nulls: {bytes: Uint8Array | null}; length: number}): ColumnRows<T> {
  return {values: column.values, nulls: column.nulls.bytes, length: column.length};
}

/** The piece's typed arrays' memory, to move to the other thread rather than copy. */
export function pieceTransferList(piece: BatchPiece): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const column of [...Object.values(piece.doubles), ...Object.values(piece.integers)]) {
    buffers.push(column.values.buffer as ArrayBuffer);
    if (column.nulls !== null) buffers.push(column.nulls.buffer as ArrayBuffer);
  }
  return buffers;
}

/** How many rows the piece holds. */
export function pieceRows(piece: BatchPiece): number {
  return piece.doubles.ts.length;
}

/**
 * Appends the piece to `batch`, whose dictionaries must be where the piece's start (else the two
 * sides are out of step, an error). `keep` marks the rows to append (null: all); the values of
 * the rows left out stay in the dictionaries, unused. `keepRejected` chooses the rejected lines.
 */
export function appendPiece(batch: EventBatch, piece: BatchPiece, keep: Uint8Array | null, keepRejected: (line: RejectedLine) => boolean): void {
  for (const field of DICTIONARY_FIELDS) {
    const {from, values} = piece.newValues[field];
    if (batch[field].size !== from) throw new Error(`batch piece out of step: ${field} holds ${batch[field].size} values, the piece follows ${from}`);
    batch[field].addNew(values);
  }
  for (const field of PER_VALUE_FIELDS) {
    const {from, values} = piece.newPerValue[field];
    if (batch[field].length !== from) throw new Error(`batch piece out of step: ${field} holds ${batch[field].length} entries, the piece follows ${from}`);
    const list = batch[field] as unknown[];
    for (const value of values) list.push(value);
  }
  for (const field of DOUBLE_ROW_FIELDS) batch[field].append(piece.doubles[field], keep);
  for (const field of INTEGER_ROW_FIELDS) batch[field].append(piece.integers[field], keep);
  for (const line of piece.rejected) if (keepRejected(line)) batch.rejected.push(line);
}
