// mulberry32: a small seeded generator of numbers in [0, 1). A seed gives the same sequence on
// every run: the word cloud's layout, the bundled sample and the tests' random cases rely on it.
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
