// The store's single source of truth: which S3 objects were taken in (key and ETag) and which
// Parquet segments hold their rows. A file the manifest does not name is not part of the store.
//
// Events are partitioned by UTC day: every events segment holds the rows of one day, so taking
// in new data, replacing an object and compacting all touch only the days concerned, and the
// site re-exports only the days that changed.
import {open, readFile, rm} from "node:fs/promises";
import {join} from "node:path";
import type {SourceFormat} from "../config.js";
import {writeFileDurably} from "./durable-file.js";
import type {KeyMismatch} from "../records/connect-key.js";
import type {OffsetRun} from "./offset-ledger.js";

/**
 * An S3 object already taken into the store. The Kafka fields are the S3 sink's; objects of the
 * formats without Kafka (Manifest.source_format firehose, export-task) hold topic "",
 * kafka_partition 0 and start_offset 0, and a store holds objects of one format only.
 */
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
  /** Records skipped because another object already holds their offsets (firehose: their event ids). */
  duplicates: number;
  /**
   * Firehose CONTROL_MESSAGE documents in the object: CloudWatch Logs checking it can reach the
   * stream, with no log events. Absent: none (or the object was read before they were kept).
   */
  control_messages?: number;
  /**
   * The offsets whose rows this object holds in the store, as sorted runs [start, end): no other
   * object stores any of them (store/offset-ledger.ts).
   */
  stored: OffsetRun[];
  /** The segments holding this object's rows: one per day it has events on, and its rejected lines. */
  segments: string[];
  /** Its Kafka key file when it was read (key and ETag), null when it had none (absent: read before key files were). */
  key_file?: {key: string; etag: string} | null;
  /** What did not match between its records and its key file, when something did. */
  key_mismatch?: KeyMismatch | null;
}

/**
 * A local access-log file taken in by `weblog report`. A file is known by its instance and its
 * first bytes, not its name, so access.log renamed to access.log.1 (or compressed to
 * access.log.1.gz) is still the same file, read on from where it was left.
 */
export interface StoredLogFile {
  /** The log_stream of its events: the instance its name says (sources/instance-name.ts). */
  instance: string;
  /** SHA-256 (hex) of its first fingerprint_bytes bytes, decompressed. */
  fingerprint: string;
  fingerprint_bytes: number;
  /** Bytes (decompressed) of the complete lines taken in: the next read starts here. */
  read_bytes: number;
  /** SHA-256 of the tail_bytes bytes before read_bytes: a file rewritten under the same first bytes no longer matches. */
  tail: string;
  tail_bytes: number;
  /** Lines taken in, blank ones included: line numbers go on from here. */
  lines: number;
  events: number;
  rejected: number;
  /** Where it was last read from. */
  path: string;
  /** The segments holding its rows, as for StoredObject. */
  segments: string[];
}

/** Rows without a time (a log format with no %t) have no day; they are kept under this name. */
export const UNDATED = "undated";

/** One Parquet file of the store. */
export interface Segment {
  kind: "events" | "rejected";
  /** Events: the UTC day of every row, YYYY-MM-DD, or UNDATED. Rejected lines: null. */
  day: string | null;
  /** Path relative to the store directory. */
  file: string;
  rows: number;
  /** Time range of the rows, epoch ms; null for rejected lines and undated events. */
  min_ts: number | null;
  max_ts: number | null;
  /**
   * The segments this one was merged from (compact.ts): its rows are all of theirs, so a file the
   * site made from those holds its rows (segmentsAddedSince). Absent for a segment sync wrote.
   */
  merged_from?: string[];
}

/** Keys under the prefix that are not event objects, of one reason, as the last full listing found them. */
export interface SkippedKeys {
  reason: string;
  count: number;
  /** The first keys of this reason, in key order. */
  examples: string[];
}

export interface Manifest {
  version: 3;
  /** The source format the objects were read as; absent in stores of the S3 sink written before there were others. */
  source_format?: SourceFormat;
  objects: Record<string, StoredObject>;
  segments: Record<string, Segment>;
  /** When sync last listed every key under the prefix (epoch ms); between such listings it lists only the tail of each topic. */
  listed_fully_at?: number;
  /** What that listing found and did not read (Kafka header files, other formats), by reason. */
  skipped_keys?: SkippedKeys[];
  /** Objects whose key files do not match their records (summarizeKeyMismatches), as of the last commit. */
  key_mismatches?: KeyMismatches;
  /** Local access-log files `weblog report` took in, by the key their rows carry in s3_key. */
  log_files?: Record<string, StoredLogFile>;
}

/** Examples kept per reason: enough to find the files, few enough that a bucket of key files does not swell the manifest. */
const SKIPPED_EXAMPLES = 10;

/** The skipped keys of a listing, counted by reason (most first), with a few examples of each. */
export function summarizeSkippedKeys(skipped: readonly {key: string; reason: string}[]): SkippedKeys[] {
  const byReason = new Map<string, SkippedKeys>();
  for (const {key, reason} of [...skipped].sort((a, b) => a.key.localeCompare(b.key))) {
    let entry = byReason.get(reason);
    if (!entry) byReason.set(reason, (entry = {reason, count: 0, examples: []}));
    entry.count++;
    if (entry.examples.length < SKIPPED_EXAMPLES) entry.examples.push(key);
  }
  return [...byReason.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** Objects whose keys do not match their records: how many, and the first in key order. */
export interface KeyMismatches {
  objects: number;
  examples: ({key: string} & KeyMismatch)[];
}

/** Objects listed as examples on the Data quality page. */
const KEY_MISMATCH_EXAMPLES = 20;

export function summarizeKeyMismatches(objects: Record<string, StoredObject>): KeyMismatches {
  const keys = Object.keys(objects).filter((key) => objects[key].key_mismatch).sort();
  return {objects: keys.length, examples: keys.slice(0, KEY_MISMATCH_EXAMPLES).map((key) => ({key, ...objects[key].key_mismatch!}))};
}

/** Records the bucket holds twice (a connector re-delivering offsets another object holds), stored once: how many, and the objects holding most. */
export interface Redeliveries {
  records: number;
  objects: number;
  examples: {key: string; records: number}[];
}

/** Objects listed as examples of re-delivery. */
const REDELIVERY_EXAMPLES = 10;

export function summarizeRedeliveries(objects: Record<string, StoredObject>): Redeliveries {
  const keys = Object.keys(objects).filter((key) => objects[key].duplicates > 0);
  keys.sort((a, b) => objects[b].duplicates - objects[a].duplicates || (a < b ? -1 : 1));
  return {
    records: keys.reduce((sum, key) => sum + objects[key].duplicates, 0),
    objects: keys.length,
    examples: keys.slice(0, REDELIVERY_EXAMPLES).map((key) => ({key, records: objects[key].duplicates})),
  };
}

/** Firehose CONTROL_MESSAGE documents in the bucket (health checks, no events): how many, in how many objects. */
export interface ControlMessages {
  documents: number;
  objects: number;
}

export function summarizeControlMessages(objects: Record<string, StoredObject>): ControlMessages {
  let documents = 0;
  let holding = 0;
  for (const object of Object.values(objects)) {
    if (!object.control_messages) continue;
    documents += object.control_messages;
    holding++;
  }
  return {documents, objects: holding};
}

export const MANIFEST_FILE = "manifest.json";

/** Why a store cannot take in objects of `format`: it already holds another format's. Null when it can. */
export function storeFormatProblem(storeDir: string, manifest: Manifest, format: SourceFormat): string | null {
  const holds = manifest.source_format ?? "s3-sink";
  if (holds === format || Object.keys(manifest.objects).length === 0) return null;
  return `${storeDir} holds events of the ${holds} source format, and the configured format is ${format}: give this format a store of its own ("store" / WEBLOG_STORE), or remove ${storeDir} to start over`;
}

export function emptyManifest(): Manifest {
  return {version: 3, objects: {}, segments: {}};
}

/** A store written by an earlier version, whose layout this one does not read. */
export class OutdatedStoreError extends Error {
  constructor(
    storeDir: string,
    /** What the earlier layout lacks. */
    readonly why: string,
  ) {
    super(`${storeDir} was written by an earlier Weblog Workbook (${why}); \`npx weblog sync\` takes the bucket in again`);
  }
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
  return parseManifest(text, path, storeDir);
}

function parseManifest(text: string, path: string, storeDir: string): Manifest {
  const manifest = JSON.parse(text) as Manifest | {version: number};
  if (manifest.version === 1) throw new OutdatedStoreError(storeDir, "not partitioned by day");
  // Version 3 added the event_id column: segments of both versions could not be read as one table.
  if (manifest.version === 2) throw new OutdatedStoreError(storeDir, "no event_id column");
  if (manifest.version !== 3) throw new Error(`${path} has version ${manifest.version}; this Weblog Workbook reads version 3`);
  // Written before objects recorded the offsets they store: which object holds what is unknown.
  if (Object.values((manifest as Manifest).objects).some((o) => o.stored === undefined)) throw new OutdatedStoreError(storeDir, "offsets not recorded per object");
  return manifest as Manifest;
}

/** The manifest last parsed by sharedManifest, and the file it was parsed from. */
let shared: {path: string; file: string; manifest: Manifest} | null = null;

/**
 * The manifest for readers that never change it (the site's data, the instances, publish),
 * parsed once per process while its file stays the one it was (a commit puts a new file in its
 * place: another inode, size or time). A build asks for it in several places, and at 10M events
 * it is 4 MB of JSON, 60–110 ms a parse. Frozen, so that no reader changes what the next one gets.
 */
export async function sharedManifest(storeDir: string): Promise<Manifest> {
  const path = join(storeDir, MANIFEST_FILE);
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyManifest();
    throw error;
  }
  try {
    // The stamp and the text from one open file, so that they cannot be of two different files.
    const {ino, size, mtimeMs} = await handle.stat();
    const file = `${ino} ${size} ${mtimeMs}`;
    if (shared !== null && shared.path === path && shared.file === file) return shared.manifest;
    const manifest = deepFreeze(parseManifest(await handle.readFile("utf8"), path, storeDir));
    shared = {path, file, manifest};
    return manifest;
  } finally {
    await handle.close();
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Replaces the manifest atomically: readers see the old store or the new one, never a mix. */
export async function writeManifest(storeDir: string, manifest: Manifest): Promise<void> {
  await writeFileDurably(join(storeDir, MANIFEST_FILE), JSON.stringify(manifest));
}

/**
 * Points the objects of `objects` (a manifest's being made) from the segments in `replacements`
 * to what replaced each: a new segment's id, or null when its rows are gone. One pass.
 */
export function repointSegments<T extends {segments: string[]}>(objects: Record<string, T>, replacements: ReadonlyMap<string, string | null>): void {
  if (replacements.size === 0) return;
  for (const [key, object] of Object.entries(objects)) {
    if (!object.segments.some((id) => replacements.has(id))) continue;
    const segments = new Set<string>();
    for (const id of object.segments) {
      const now = replacements.has(id) ? replacements.get(id)! : id;
      if (now !== null) segments.add(now);
    }
    objects[key] = {...object, segments: [...segments]};
  }
}

/** Segment paths (relative) of every live file in the store. */
export function liveFiles(manifest: Manifest): Set<string> {
  return new Set(Object.values(manifest.segments).map((segment) => segment.file));
}

/** The events segments of each day, days in order. */
export function segmentsByDay(manifest: Manifest): Map<string, [id: string, segment: Segment][]> {
  const days = new Map<string, [string, Segment][]>();
  const entries = Object.entries(manifest.segments).filter(([, s]) => s.kind === "events");
  entries.sort(([, a], [, b]) => a.day!.localeCompare(b.day!));
  for (const [id, segment] of entries) {
    const list = days.get(segment.day!) ?? [];
    list.push([id, segment]);
    days.set(segment.day!, list);
  }
  return days;
}

/**
 * The segments of `now` added since a file was made from the segments `then`: those neither in
 * `then` nor merged (compact.ts) from segments all in `then`. Null when `then` names a segment
 * that is neither in `now` nor merged into one of `now`, or one of `now` was merged from some of
 * `then` and some other: which of its rows the file holds cannot then be told.
 */
export function segmentsAddedSince(then: readonly string[], now: readonly string[], segments: Manifest["segments"]): string[] | null {
  const held = new Set(then);
  const found = new Set<string>();
  const added: string[] = [];
  for (const id of now) {
    const from = held.has(id) ? [id] : (segments[id]?.merged_from ?? []);
    const inThen = from.filter((each) => held.has(each));
    if (inThen.length === 0) added.push(id);
    else if (inThen.length < from.length || inThen.some((each) => found.has(each))) return null;
    for (const each of inThen) found.add(each);
  }
  return found.size === held.size ? added : null;
}

export function segmentsOfKind(manifest: Manifest, kind: Segment["kind"]): Segment[] {
  return Object.values(manifest.segments).filter((s) => s.kind === kind && s.rows > 0);
}

/**
 * The store's manifest; a store written by an earlier version is emptied and taken in again from
 * the bucket (it is a copy of the bucket, so nothing is lost), with a line saying so.
 */
export async function readManifestOrStartOver(store: string, log: (message: string) => void): Promise<Manifest> {
  try {
    return await readManifest(store);
  } catch (error) {
    if (!(error instanceof OutdatedStoreError)) throw error;
    log(`${store} was written by an earlier Weblog Workbook (${error.why}): taking the bucket in again`);
    await rm(join(store, "segments"), {recursive: true, force: true});
    await writeManifest(store, emptyManifest());
    return emptyManifest();
  }
}

/**
 * True when the bucket must be listed whole: the store has never been, or not for
 * `fullListingMinutes` (the incremental listing cannot see a rewrite of an older object).
 */
export function isFullListingDue(manifest: Manifest, fullListingMinutes: number, now: number): boolean {
  return manifest.listed_fully_at === undefined || now - manifest.listed_fully_at >= fullListingMinutes * 60_000;
}
