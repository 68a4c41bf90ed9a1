// What one thread of `weblog parse` learned that the others can use: the JSON of the agent's (or
// the GeoIP) columns for each distinct value it met first, packed to cross to another thread in one
// message (keys, and every value's runs of bytes one after another in one buffer). A value's JSON
// is a pure function of the value, so a thread that is given it writes the same bytes it would
// have made, without classifying the agent or reading GeoLite2 again.

/** One group's JSON by value: the values, and their runs' bytes. */
export interface LearnedGroup {
  keys: string[];
  /** Where each run ends in `bytes`: `runsPerKey` runs for each key, in key order. */
  runEnds: number[];
  bytes: Uint8Array;
}

/** A value and its runs' bytes. */
export type KeyedRuns = [key: string, runs: Uint8Array[]];

export function packLearned(entries: readonly KeyedRuns[]): LearnedGroup {
  let length = 0;
  for (const [, runs] of entries) for (const run of runs) length += run.length;
  // A buffer of its own (never Node's shared pool), so that it crosses threads alone.
  const bytes = new Uint8Array(length);
  const runEnds: number[] = [];
  let at = 0;
  for (const [, runs] of entries) {
    for (const run of runs) {
      bytes.set(run, at);
      at += run.length;
      runEnds.push(at);
    }
  }
  return {keys: entries.map(([key]) => key), runEnds, bytes};
}

/** The entries of a packed group; each run a view into the group's one buffer. */
export function unpackLearned({keys, runEnds, bytes}: LearnedGroup): KeyedRuns[] {
  if (keys.length === 0) return [];
  const runsPerKey = runEnds.length / keys.length;
  if (!Number.isInteger(runsPerKey)) throw new Error(`learned JSON: ${runEnds.length} runs for ${keys.length} values`);
  let start = 0;
  return keys.map((key, k) => {
    const runs: Uint8Array[] = [];
    for (let r = 0; r < runsPerKey; r++) {
      const end = runEnds[k * runsPerKey + r];
      runs.push(bytes.subarray(start, end));
      start = end;
    }
    return [key, runs];
  });
}
