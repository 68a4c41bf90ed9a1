// When a sync closes a batch. Each batch's write (DuckDB: staging, then a ZSTD COPY per day) runs
// on the second core while the JavaScript thread parses the next batch, so every write but the
// last is hidden behind parsing; the last one overlaps nothing, and with batches of 500,000 events
// it was about 1.3 s of a 1M-event sync run on one core alone. So near the end of what a sync has
// to read, batches shrink: a batch closes early once what is left to read would take at least
// as long to parse as this batch takes to write (writing costs a quarter to a third of what
// parsing does per event), and the batches after it shrink the same way down to a floor, so the
// write that nothing overlaps is of a few tens of thousands of events. Few batches, though: each
// costs about as much again for its distinct values (their ENUM types, their enrichment columns)
// whatever its size, so the tail is three batches at 1M events, not more. Memory stays bounded by
// `batchEvents` as before; the rows and their order in the store do not depend on where batches end.

/** What is left to read is estimated from its bytes, at the events per byte read so far. */
export interface ReadSoFar {
  /** Bytes of the objects planned and not yet read. */
  bytesLeft: number;
  /** Bytes of the objects read so far, and the records (lines) they held. */
  bytesRead: number;
  recordsRead: number;
}

/** A batch closes early when the events left to read are fewer than this many times its own. */
export const LEFT_PER_BATCH_EVENT = 0.4;
/**
 * No batch closes early below this many events (each batch costs a commit and a file per day),
 * and the last batch is about this size: a batch closes once this many are left, whatever its ratio.
 */
export const MIN_TAIL_BATCH_EVENTS = 40_000;

/** True when a batch of `batchSize` events should be committed now. */
export function isBatchFull(batchSize: number, batchEvents: number, read: ReadSoFar): boolean {
  if (batchSize >= batchEvents) return true;
  if (batchSize < MIN_TAIL_BATCH_EVENTS || read.bytesRead === 0) return false;
  const eventsLeft = (read.bytesLeft * read.recordsRead) / read.bytesRead;
  // Less than half the floor left (nothing, at the end): one last batch takes it with this one.
  // Otherwise the rest is a batch of its own once it is at most the floor, or small beside this
  // batch; the events left shrink an object at a time, so they pass the floor unless the sync is small.
  if (eventsLeft < MIN_TAIL_BATCH_EVENTS / 2) return false;
  return eventsLeft <= Math.max(batchSize * LEFT_PER_BATCH_EVENT, MIN_TAIL_BATCH_EVENTS);
}
