// The store's single source of truth: which S3 objects were taken in (key and ETag) and which
// Parquet segments hold their rows. A file the manifest does not name is not part of the store.
import {readFile} from "node:fs/promises";
import {join} from "node:path";
import {writeFileDurably} from "./durable-file.js";

/** An S3 sink object already taken into the store. */
export interface StoredObject {
  etag: string;
  size: number;
  topic: string;
  kafka_partition: number;
  start_offset: number;
  /** Records (lines) in the object: its offsets are start_offset … start_offset + records − 1. */
  records: number;
  events: number;
  rejected: number;
  /** Records skipped because another object already holds their offsets. */
  duplicates: number;
  /** The segment holding this object's rows. */
  segment: string;
}

/** One Parquet file of events (and one of rejected lines) written by one sync batch. */
export interface Segment {
  /** Paths relative to the store directory. */
  events: string;
  rejected: string;
  event_count: number;
  rejected_count: number;
  /** Time range of the segment's events, epoch ms; null when it has none. */
  min_ts: number | null;
  max_ts: number | null;
}

export interface Manifest {
  version: 1;
  objects: Record<string, StoredObject>;
  segments: Record<string, Segment>;
}

export const MANIFEST_FILE = "manifest.json";

export function emptyManifest(): Manifest {
  return {version: 1, objects: {}, segments: {}};
}

export async function readManifest(storeDir: string): Promise<Manifest> {
  const path = join(storeDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyManifest();
    throw error;
  }
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.version !== 1) throw new Error(`${path} has version ${manifest.version}; this Weblog Workbook reads version 1`);
  return manifest;
}

/** Replaces the manifest atomically: readers see the old store or the new one, never a mix. */
export async function writeManifest(storeDir: string, manifest: Manifest): Promise<void> {
  await writeFileDurably(join(storeDir, MANIFEST_FILE), JSON.stringify(manifest));
}

/** Segment paths (relative) of every live file in the store, events and rejected lines. */
export function liveFiles(manifest: Manifest): Set<string> {
  const files = new Set<string>();
  for (const segment of Object.values(manifest.segments)) {
    files.add(segment.events);
    files.add(segment.rejected);
  }
  return files;
}
