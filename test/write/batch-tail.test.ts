import assert from "node:assert/strict";
import {test} from "node:test";
import {isBatchFull, LEFT_PER_BATCH_EVENT, MIN_TAIL_BATCH_EVENTS, type ReadSoFar} from "../../data-loaders/write/batch-tail.js";

/** The batch sizes a sync closes, reading `objects` objects of `records` records and `bytes` bytes each, as sync.ts does. */
function batchesOf(objects: number, records: number, bytes: number, batchEvents: number): number[] {
  const read: ReadSoFar = {bytesLeft: objects * bytes, bytesRead: 0, recordsRead: 0};
  const batches: number[] = [];
  let batch = 0;
  for (let i = 0; i < objects; i++) {
    read.bytesLeft -= bytes;
    batch += records;
    read.bytesRead += bytes;
    read.recordsRead += records;
    if (isBatchFull(batch, batchEvents, read)) {
      batches.push(batch);
      batch = 0;
    }
  }
  if (batch > 0) batches.push(batch);
  return batches;
}

test("a 1M-event sync closes full batches, then shrinking ones, and its last batch is short", () => {
  const batches = batchesOf(1000, 1000, 346_000, 500_000);
  assert.equal(batches.reduce((a, b) => a + b, 0), 1_000_000);
  assert.equal(batches[0], 500_000, "the first batch is full");
  assert.ok(batches.every((b) => b <= 500_000), `no batch above batchEvents: ${batches}`);
  const last = batches.at(-1)!;
  assert.ok(last < 2 * MIN_TAIL_BATCH_EVENTS, `the last batch, which nothing overlaps, is short: ${batches}`);
  assert.ok(batches.length <= 4, `few batches, each costs its distinct values again: ${batches}`);
  // Each batch but the last is followed by enough events to parse while it is written (to within
  // the object that closed it: batches close between objects of 1000 records).
  for (let i = 0; i < batches.length - 1; i++) {
    const after = batches.slice(i + 1).reduce((a, b) => a + b, 0);
    assert.ok(after >= LEFT_PER_BATCH_EVENT * batches[i] - 2000, `batch ${i} (${batches[i]}) is followed by ${after} events`);
  }
});

test("the estimate of what is left may drift: the last batch is still about the floor", () => {
  // Objects whose bytes per record grow as the sync goes: what is left is underestimated.
  const read: ReadSoFar = {bytesLeft: 0, bytesRead: 0, recordsRead: 0};
  const sizes = Array.from({length: 1000}, (_, i) => 300_000 + i * 100);
  read.bytesLeft = sizes.reduce((a, b) => a + b, 0);
  const batches: number[] = [];
  let batch = 0;
  for (const bytes of sizes) {
    read.bytesLeft -= bytes;
    batch += 1000;
    read.bytesRead += bytes;
    read.recordsRead += 1000;
    if (isBatchFull(batch, 500_000, read)) {
      batches.push(batch);
      batch = 0;
    }
  }
  if (batch > 0) batches.push(batch);
  assert.ok(batches.at(-1)! <= MIN_TAIL_BATCH_EVENTS + 1000 && batches.at(-1)! >= MIN_TAIL_BATCH_EVENTS / 2, `${batches}`);
});

test("10M events: full batches until the tail, which adds only a few batches", () => {
  const batches = batchesOf(10_000, 1000, 346_000, 500_000);
  assert.equal(batches.reduce((a, b) => a + b, 0), 10_000_000);
  assert.equal(batches.filter((b) => b === 500_000).length, 19);
  assert.ok(batches.length <= 25, `${batches.length} batches`);
  assert.ok(batches.at(-1)! < 2 * MIN_TAIL_BATCH_EVENTS);
});

test("a sync smaller than the floor, or an incremental one, is one batch", () => {
  assert.deepEqual(batchesOf(21, 445, 150_000, 500_000), [21 * 445]);
  // Up to one and a half floors: one batch.
  assert.deepEqual(batchesOf(59, 1000, 346_000, 500_000), [59_000]);
  assert.deepEqual(batchesOf(1, 1000, 346_000, 500_000), [1000]);
  // Small batchEvents (tests, --batch-events) are kept as asked.
  assert.deepEqual(batchesOf(10, 100, 30_000, 300), [300, 300, 300, 100]);
});
