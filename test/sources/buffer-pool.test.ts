// The reader thread's memory for objects (sources/buffer-pool.ts): a read takes the smallest free
// buffer that holds it, or new memory; memory given back is taken again; memory moved away since
// (detached) and more than the pool keeps are let go.
import assert from "node:assert/strict";
import {test} from "node:test";
import {MessageChannel} from "node:worker_threads";
import {BufferPool} from "../../data-loaders/sources/buffer-pool.js";

test("a read takes the smallest free buffer that holds it, else new memory of the pool", () => {
  const pool = new BufferPool();
  const small = pool.take(100_000);
  const large = pool.take(600_000);
  assert.equal(small.length, 100_000);
  assert.ok(small.buffer.byteLength >= 100_000 && large.buffer.byteLength >= 600_000);
  assert.ok(pool.owns(small.buffer) && pool.owns(large.buffer));
  pool.give(large.buffer as ArrayBuffer);
  pool.give(small.buffer as ArrayBuffer);
  assert.equal(pool.take(50_000).buffer, small.buffer, "the smaller of the two that hold it");
  assert.equal(pool.take(50_000).buffer, large.buffer, "the one left");
  assert.notEqual(pool.take(50_000).buffer, small.buffer, "none free: new memory");
});

test("memory given twice is held once; memory moved away, and more than the pool keeps, is let go", () => {
  const pool = new BufferPool(2);
  const a = new ArrayBuffer(1000);
  pool.give(a);
  pool.give(a);
  assert.equal(pool.take(10).buffer, a);
  assert.notEqual(pool.take(10).buffer, a, "held once");
  const moved = new ArrayBuffer(1000);
  const {port1, port2} = new MessageChannel();
  port1.postMessage(moved, [moved]);
  port1.close();
  port2.close();
  assert.equal(moved.byteLength, 0);
  pool.give(moved);
  const [b, c, d] = [new ArrayBuffer(1000), new ArrayBuffer(1000), new ArrayBuffer(1000)];
  for (const buffer of [b, c, d]) pool.give(buffer);
  const taken = [pool.take(10).buffer, pool.take(10).buffer, pool.take(10).buffer];
  assert.deepEqual([taken.includes(b), taken.includes(c), taken.includes(d)], [true, true, false], "two kept, the detached one not among them");
});
