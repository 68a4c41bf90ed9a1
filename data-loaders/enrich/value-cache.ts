// A bounded memo for enrichment lookups keyed by the raw value (an IP, a user agent): the same few
// thousand values repeat millions of times, while an adversarial log may hold millions of distinct ones.

export interface ValueCache<V, K extends string | number = string> {
  /** The cached value, or undefined on a miss. */
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  /** Distinct keys held now, never more than the capacity (counted, so not for the hot path). */
  readonly size: number;
  readonly capacity: number;
}

/**
 * Two generations of at most capacity/2 entries each. A hit in the older generation is copied into
 * the current one; when the current one is full the older is dropped whole and the current becomes
 * the older. Values in steady use therefore survive, eviction is one allocation instead of per-entry
 * bookkeeping, and a hit costs one or two Map lookups — cheaper than a true LRU's move-to-front.
 * A capacity of 0 caches nothing (the benchmark uses it to time the uncached path).
 */
export function createValueCache<V, K extends string | number = string>(capacity: number): ValueCache<V, K> {
  if (!Number.isInteger(capacity) || capacity < 0 || capacity === 1) {
    throw new RangeError(`cache capacity must be 0 (no cache) or an integer of at least 2, got ${capacity}`);
  }
  const generationSize = Math.floor(capacity / 2);
  let current = new Map<K, V>();
  let older = new Map<K, V>();

  function set(key: K, value: V): void {
    if (capacity === 0) return;
    if (current.size >= generationSize) {
      older = current;
      current = new Map();
    }
    current.set(key, value);
  }

  return {
    get(key) {
      const hit = current.get(key);
      if (hit !== undefined) return hit;
      const old = older.get(key);
      if (old !== undefined) set(key, old);
      return old;
    },
    set,
    get size() {
      // A promoted key sits in both generations for a while; count the distinct keys.
      let size = current.size;
      for (const key of older.keys()) if (!current.has(key)) size++;
      return size;
    },
    capacity,
  };
}
