// Reading ahead: objects come in plan order, a few under way at once, and one already handed to
// the caller is not kept (sync reads every object of the bucket through it).
import assert from "node:assert/strict";
import {test} from "node:test";
import {setImmediate as nextTurn} from "node:timers/promises";
import {setFlagsFromString} from "node:v8";
import {runInNewContext} from "node:vm";
import {inOrderAhead} from "../../data-loaders/sources/read-ahead.js";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

test("results in order, with at most `concurrency` reads under way", async () => {
  const started: number[] = [];
  const got: number[] = [];
  for await (const value of inOrderAhead(10, 3, async (i) => {
    started.push(i);
    // Later reads finish first: the order must still be the plan's.
    await new Promise((done) => setTimeout(done, (10 - i) * 2));
    return i;
  })) {
    got.push(value);
    // While the caller has this one, up to three more are under way, never more.
    assert.ok(started.length <= value + 1 + 3, `${started.length} reads started by the time #${value} was handed over`);
  }
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(started, got);
});

test("an object handed to the caller is not held by the reader", async () => {
  const handedOver: WeakRef<object>[] = [];
  const reads = inOrderAhead(40, 4, async (i) => ({index: i, bytes: new Uint8Array(1024)}));
  for await (const read of reads) {
    handedOver.push(new WeakRef(read));
    if (read.index === 20) break;
  }
  // A WeakRef keeps its object to the end of the turn it was made or read in.
  await nextTurn();
  collectGarbage();
  // The last one handed over may still be in the loop's hands; every one before it must be gone.
  const before = handedOver.slice(0, -1);
  const kept = before.filter((ref) => ref.deref() !== undefined).length;
  assert.equal(kept, 0, `${kept} of the ${before.length} objects read before the last are still in memory`);
});

test("a read's failure is thrown in its turn; the reads before it arrive", async () => {
  const got: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const value of inOrderAhead(6, 3, async (i) => {
        if (i === 2 || i === 3) throw new Error(`read ${i} failed`);
        return i;
      })) {
        got.push(value);
      }
    })(),
    /read 2 failed/,
  );
  assert.deepEqual(got, [0, 1]);
});

test("between objects the event loop turns, even when every read has already arrived", async () => {
  // What else runs on this thread (a commit's next DuckDB statement) must not wait for the reads to fall behind.
  let handedOver = 0;
  let handedOverWhenTheLoopTurned = -1;
  setImmediate(() => (handedOverWhenTheLoopTurned = handedOver));
  for await (const value of inOrderAhead(5, 5, (i) => Promise.resolve(i))) handedOver = value + 1;
  assert.ok(handedOverWhenTheLoopTurned >= 0 && handedOverWhenTheLoopTurned < 5, `the loop turned after ${handedOverWhenTheLoopTurned} of 5 objects`);
});
