// The bounded memo behind both enrichers: it must stay bounded whatever the input, and keep what is in use.
import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {createValueCache} from "../../data-loaders/enrich/value-cache.js";

describe("value cache", () => {
  test("50,000 distinct keys never hold more than the capacity", () => {
    const cache = createValueCache<number>(10_000);
    for (let i = 0; i < 50_000; i++) {
      cache.set(`key ${i}`, i);
      if (i % 997 === 0) assert.ok(cache.size <= 10_000, `size ${cache.size} after ${i + 1} keys`);
    }
    assert.ok(cache.size <= 10_000);
    assert.ok(cache.size >= 5_000, "eviction drops one generation, not everything");
  });

  test("a key read regularly survives any number of one-off keys", () => {
    const cache = createValueCache<string>(100);
    cache.set("hot", "value");
    for (let i = 0; i < 50_000; i++) {
      cache.set(`cold ${i}`, "x");
      if (i % 40 === 0) assert.equal(cache.get("hot"), "value", `lost after ${i} one-off keys`);
    }
  });

  test("an unused key is gone after two generations of other keys", () => {
    const cache = createValueCache<string>(100);
    cache.set("once", "value");
    for (let i = 0; i < 100; i++) cache.set(`other ${i}`, "x");
    assert.equal(cache.get("once"), undefined);
  });

  test("capacity 0 caches nothing", () => {
    const cache = createValueCache<string>(0);
    cache.set("a", "b");
    assert.equal(cache.get("a"), undefined);
    assert.equal(cache.size, 0);
  });

  test("rejects capacities it cannot honour", () => {
    for (const capacity of [-1, 1, 2.5, Number.NaN]) assert.throws(() => createValueCache(capacity), RangeError, String(capacity));
  });
});
