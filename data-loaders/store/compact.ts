// Compaction: every sync adds a segment to each day it has events on, and every export reads
// them all. Compacting merges each day's segments into one sorted by time (and all rejected
// lines into one), under the store lock, and swaps the manifest atomically, so a compaction
// killed midway leaves the store as it was. Only the days that need it are rewritten.
import {join} from "node:path";
import {lockStore} from "./lock.js";
import {readManifest, repointSegments, writeManifest, type Manifest, type Segment} from "./manifest.js";
import {mergeSegments, removeUnreferencedFiles} from "./segments.js";
import {withDuckDB} from "../write/duckdb.js";

/** Sync compacts a day on its own once it has more segments than this. */
export const COMPACT_ABOVE_SEGMENTS = 8;

export interface CompactResult {
  segmentsBefore: number;
  segmentsAfter: number;
  /** The days (and "rejected") whose segments were merged. */
  merged: string[];
}

/**
 * Which of a day's segments sync merges. A day that takes in an object every few seconds has a
 * few large segments (its history) and many small ones: merging them all would rewrite the day
 * each time, so a sync on a busy day would cost what the day holds, not what it took in. So the
 * smallest segments are merged among themselves: the most of them that together hold no more rows
 * than the next larger one; when no two qualify (segments of like size), all are merged. Each row is so
 * rewritten a few times at most, each time with segments at least as large as its own.
 */
export function mergeCandidates<T extends [string, Segment]>(segments: readonly T[]): T[] {
  const bySize = [...segments].sort((a, b) => a[1].rows - b[1].rows);
  // rowsBelow[k]: the rows of the k smallest.
  const rowsBelow = [0];
  for (const [, segment] of bySize) rowsBelow.push(rowsBelow[rowsBelow.length - 1] + segment.rows);
  for (let k = bySize.length - 1; k >= 2; k--) if (rowsBelow[k] <= bySize[k][1].rows) return bySize.slice(0, k);
  return bySize;
}

export interface CompactOptions {
  /** Sync already holds the lock. */
  alreadyLocked?: boolean;
  /** The store's manifest, when the caller (sync, holding the lock) has just written it. */
  manifest?: Manifest;
  /**
   * Merge only the days with more segments than this, and of those only what mergeCandidates
   * picks (sync). The default, 1, merges every day with more than one segment into one.
   */
  onlyAbove?: number;
  /**
   * With `onlyAbove`: the segments that may be merged, the others left as they are (sync passes
   * those the store had before it: the ones it wrote are merged at the next sync, so a file the
   * site made before this sync holds every row of any segment merged now, and the new rows stay a
   * segment of their own: Segment.merged_from).
   */
  mergeable?: (id: string) => boolean;
}

export async function compactStore(store: string, {alreadyLocked = false, manifest: given, onlyAbove = 1, mergeable = () => true}: CompactOptions = {}): Promise<CompactResult> {
  const lock = alreadyLocked ? null : await lockStore(store);
  try {
    const manifest = given ?? (await readManifest(store));
    const groups = new Map<string, [string, Segment][]>();
    for (const [id, segment] of Object.entries(manifest.segments)) {
      const group = segment.kind === "events" ? segment.day! : "rejected";
      const members = groups.get(group);
      if (members) members.push([id, segment]);
      else groups.set(group, [[id, segment]]);
    }
    const toMerge = [...groups]
      .filter(([, segments]) => segments.length > onlyAbove)
      .map(([group, segments]): [string, [string, Segment][]] => [group, onlyAbove > 1 ? mergeCandidates(segments.filter(([id]) => mergeable(id))) : segments])
      .filter(([, segments]) => segments.length > 1);
    const before = Object.keys(manifest.segments).length;
    if (toMerge.length === 0) return {segmentsBefore: before, segmentsAfter: before, merged: []};

    const next: Manifest = {...manifest, objects: {...manifest.objects}, segments: {...manifest.segments}};
    if (manifest.log_files) next.log_files = {...manifest.log_files};
    const replacements = new Map<string, string | null>();
    await withDuckDB({tempDirectory: join(store, "tmp")}, async (duckdb) => {
      for (const [, segments] of toMerge) {
        const merged = await mergeSegments(store, duckdb, segments.map(([, s]) => s));
        for (const [id] of segments) {
          delete next.segments[id];
          replacements.set(id, merged?.id ?? null);
        }
        if (merged) next.segments[merged.id] = {...merged.segment, merged_from: segments.map(([id]) => id)};
      }
    });
    repointSegments(next.objects, replacements);
    if (next.log_files) repointSegments(next.log_files, replacements);
    await writeManifest(store, next);
    await removeUnreferencedFiles(store, next);
    return {segmentsBefore: before, segmentsAfter: Object.keys(next.segments).length, merged: toMerge.map(([group]) => group)};
  } finally {
    await lock?.release();
  }
}
