// Which object of the bucket the store holds each Kafka offset from, per topic and partition:
// what keeps every (topic, kafka_partition, kafka_offset) the bucket holds in the store exactly
// once through re-deliveries, rewrites and deletions (docs/design-notes.md, "Exactly once").
//
// Each object covers the offsets of its range, [start_offset, start_offset + records), and stores
// some of them: runs that no other object stores. An object leaving (rewritten, deleted) frees its
// runs; offsets that some remaining object covers but none stores are holes, filled by reading
// that object again (a backfill).
import {partitionName} from "../sources/sink-object-key.js";
import type {StoredObject} from "./manifest.js";

/** Offsets start … end − 1. */
export type OffsetRun = [start: number, end: number];

/** What the ledger needs of a stored object. */
export type LedgerObject = Pick<StoredObject, "topic" | "kafka_partition" | "start_offset" | "records" | "stored">;

interface OwnedRun {
  start: number;
  end: number;
  key: string;
}

interface Partition {
  /** Every stored run of the partition, sorted; runs never overlap (that is the guarantee). */
  runs: OwnedRun[];
  /** Each object's range and runs. */
  objects: Map<string, {start: number; records: number; runs: OwnedRun[]}>;
}

/** Offsets an object is to be read again for, to fill holes. */
export interface Backfill {
  key: string;
  take: OffsetRun[];
}

export class OffsetLedger {
  private readonly partitions = new Map<string, Partition>();

  constructor(objects: Iterable<[string, LedgerObject]> = []) {
    // In bulk: one sort per partition, not an insertion per run.
    for (const [key, o] of objects) {
      const p = this.partition(o.topic, o.kafka_partition);
      const runs = o.stored.filter(([start, end]) => end > start).map(([start, end]) => ({start, end, key}));
      p.objects.set(key, {start: o.start_offset, records: o.records, runs});
      p.runs.push(...runs);
    }
    for (const p of this.partitions.values()) {
      p.runs.sort((a, b) => a.start - b.start);
      for (let i = 1; i < p.runs.length; i++) {
        const [a, b] = [p.runs[i - 1], p.runs[i]];
        if (b.start < a.end) throw new Error(`offsets ${b.start}–${Math.min(a.end, b.end) - 1} are stored from both ${a.key} and ${b.key}`);
      }
    }
  }

  /** The object now covers [start, start + records) and stores `stored` (replacing what it had). */
  record(key: string, topic: string, partition: number, start: number, records: number, stored: readonly OffsetRun[]): void {
    const p = this.partition(topic, partition);
    this.releaseFrom(p, key);
    const runs: OwnedRun[] = [];
    p.objects.set(key, {start, records, runs});
    this.addRuns(p, key, runs, stored);
  }

  /** The object now also stores `stored` (a backfill). */
  grow(key: string, topic: string, partition: number, stored: readonly OffsetRun[]): void {
    const p = this.partition(topic, partition);
    const object = p.objects.get(key);
    if (!object) throw new Error(`${key} is not in the ledger`);
    this.addRuns(p, key, object.runs, stored);
  }

  /** The object leaves (rewritten or deleted): its offsets are free for others. */
  release(key: string, topic: string, partition: number): void {
    const p = this.partitions.get(partitionName(topic, partition));
    if (p) this.releaseFrom(p, key);
  }

  /**
   * A predicate for the offsets that objects already store. Asked in increasing offset order
   * (an object's records), it walks the runs once; almost always no run lies past `from`, and it
   * is then a constant.
   */
  isStored(topic: string, partition: number, from: number): (offset: number) => boolean {
    const runs = this.partitions.get(partitionName(topic, partition))?.runs ?? [];
    let i = firstRunEndingAfter(runs, from);
    if (i === runs.length) return () => false;
    return (offset) => {
      if (i > 0 && offset < runs[i - 1].end) i = firstRunEndingAfter(runs, offset);
      while (i < runs.length && runs[i].end <= offset) i++;
      return i < runs.length && runs[i].start <= offset;
    };
  }

  /**
   * The holes of every partition, each given to the earliest-starting object covering it: the
   * objects to read again and the offsets to take from each. Empty when every offset some object
   * covers is stored.
   */
  backfills(): (Backfill & {topic: string; partition: number})[] {
    const out: (Backfill & {topic: string; partition: number})[] = [];
    for (const [name, p] of this.partitions) {
      const plus = name.lastIndexOf("+");
      const topic = name.slice(0, plus);
      const partition = Number(name.slice(plus + 1));
      const objects = [...p.objects].filter(([, o]) => o.records > 0).sort(([ka, a], [kb, b]) => a.start - b.start || ka.localeCompare(kb));
      let covered = -Infinity;
      for (const [key, o] of objects) {
        const end = o.start + o.records;
        let at = Math.max(o.start, covered);
        const take: OffsetRun[] = [];
        let r = firstRunEndingAfter(p.runs, at);
        while (at < end) {
          const run = p.runs[r];
          if (!run || run.start >= end) {
            take.push([at, end]);
            break;
          }
          if (run.start > at) take.push([at, run.start]);
          at = Math.max(at, run.end);
          r++;
        }
        covered = Math.max(covered, end);
        if (take.length > 0) out.push({key, topic, partition, take});
      }
    }
    return out;
  }

  /** Offsets stored, per object (for tests and checks). */
  storedBy(topic: string, partition: number): Map<string, OffsetRun[]> {
    const p = this.partitions.get(partitionName(topic, partition));
    return new Map([...(p?.objects ?? [])].map(([key, o]) => [key, mergeRuns(o.runs.map((r): OffsetRun => [r.start, r.end]), [])]));
  }

  private partition(topic: string, partition: number): Partition {
    const name = partitionName(topic, partition);
    let p = this.partitions.get(name);
    if (!p) this.partitions.set(name, (p = {runs: [], objects: new Map()}));
    return p;
  }

  private releaseFrom(p: Partition, key: string): void {
    const object = p.objects.get(key);
    if (!object) return;
    for (const run of object.runs) {
      const i = firstRunEndingAfter(p.runs, run.start);
      if (p.runs[i] === run) p.runs.splice(i, 1);
    }
    p.objects.delete(key);
  }

  private addRuns(p: Partition, key: string, owned: OwnedRun[], stored: readonly OffsetRun[]): void {
    for (const [start, end] of stored) {
      if (end <= start) continue;
      const i = firstRunEndingAfter(p.runs, start);
      const next = p.runs[i];
      if (next && next.start < end) {
        throw new Error(`offsets ${start}–${end - 1} of ${key} overlap ${next.start}–${next.end - 1} stored from ${next.key}`);
      }
      const run = {start, end, key};
      p.runs.splice(i, 0, run);
      owned.push(run);
    }
  }
}

/** Index of the first run whose end is past `offset` (runs sorted and disjoint). */
function firstRunEndingAfter(runs: readonly OwnedRun[], offset: number): number {
  let low = 0;
  let high = runs.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (runs[mid].end <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Builds the runs of offsets given in increasing order, one at a time. */
export function appendOffset(runs: OffsetRun[], offset: number): void {
  const last = runs[runs.length - 1];
  if (last && last[1] === offset) last[1] = offset + 1;
  else runs.push([offset, offset + 1]);
}

/** A predicate for the offsets of `runs` (sorted, disjoint). */
export function inRuns(runs: readonly OffsetRun[]): (offset: number) => boolean {
  return (offset) => {
    let low = 0;
    let high = runs.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (runs[mid][1] <= offset) low = mid + 1;
      else high = mid;
    }
    return low < runs.length && runs[low][0] <= offset;
  };
}

/** The runs of both, sorted, adjacent runs joined (they must not overlap). */
export function mergeRuns(a: readonly OffsetRun[], b: readonly OffsetRun[]): OffsetRun[] {
  const sorted = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: OffsetRun[] = [];
  for (const [start, end] of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] === start) last[1] = end;
    else out.push([start, end]);
  }
  return out;
}

/** How many offsets `runs` hold. */
export function runLength(runs: readonly OffsetRun[]): number {
  let n = 0;
  for (const [start, end] of runs) n += end - start;
  return n;
}
