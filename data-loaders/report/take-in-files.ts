// `weblog report`'s ingest: local access-log files into the store, with sync's guarantees. Each
// file is known by its content (report/file-identity.ts), and the store records how far into it
// the committed rows go, so reading the same files again, or after a rotation, takes in only the
// lines not yet stored. Each batch is committed like sync's: new segments, then one atomic
// manifest rename that also moves each file's read position, so a run killed at any moment
// leaves the store as before or after a batch, never counting a line twice.
import {isUtf8} from "node:buffer";
import {mkdir} from "node:fs/promises";
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import type {Enrichment} from "../enrich/enrichers.js";
import {REJECTED_LINE_MAX_CHARS, type EventOrigin} from "../event.js";
import type {InstanceParsers} from "../parse/instance-formats.js";
import {isParseError, type LineParser} from "../parse/log-format.js";
import {contentSize, readBytesAt, readFrom, readHead, type LogFile} from "../sources/local-files.js";
import {COMPACT_ABOVE_SEGMENTS, compactStore} from "../store/compact.js";
import {lockStore} from "../store/lock.js";
import {repointSegments, writeManifest, type Manifest, type StoredLogFile} from "../store/manifest.js";
import {removeUnreferencedFiles, rewriteSegmentWithout} from "../store/segments.js";
import {DEFAULT_BATCH_EVENTS} from "../sync.js";
import {writeBatchSegments} from "../store/commit.js";
import {readManifestOrStartOver} from "../store/manifest.js";
import {closeDuckDB, openDuckDB} from "../write/duckdb.js";
import {EventBatch} from "../write/event-batch.js";
import {FINGERPRINT_BYTES, findStoredFile, logFileKey, sha256, TAIL_BYTES} from "./file-identity.js";

export interface TakeInOptions {
  /** The parser of each file's lines, by the instance its name gives (it is the log stream; no log group). */
  parsers: InstanceParsers;
  /** Opened only when there is something to read. */
  enrichment: () => Promise<Enrichment>;
  log?: (message: string) => void;
  /** Events per Parquet segment: bounds memory. */
  batchEvents?: number;
}

export interface TakeInResult {
  files: number;
  /** Files never read before (or rewritten since, see `rewritten`). */
  added: number;
  /** Known files read on from where they were left. */
  grown: number;
  unchanged: number;
  /** Known files whose content changed before the read position: their old rows were replaced. */
  rewritten: number;
  /** Files with the same content as another one found (a copy, or a file found twice): read once. */
  sameAs: {file: string; as: string}[];
  events: number;
  rejected: number;
  /** Plain files whose last line is not finished yet: it is read once it ends. */
  unfinished: number;
  /** True when the store changed, so the site's data must be made again. */
  changed: boolean;
}

interface PlannedFile {
  file: LogFile;
  key: string;
  /** Where reading starts: after the lines already stored. */
  start: number;
  /** Line numbers go on from here. */
  lines: number;
  fingerprint: string;
  fingerprintBytes: number;
}

/** How far reading a file got: the lines since the last commit. */
interface FileProgress {
  planned: PlannedFile;
  readBytes: number;
  lines: number;
  events: number;
  rejected: number;
  /** The bytes just before readBytes (at most TAIL_BYTES), or null while nothing new was read. */
  tail: Buffer | null;
}

export async function takeInLogFiles(store: string, files: readonly LogFile[], options: TakeInOptions): Promise<TakeInResult> {
  const log = options.log ?? (() => {});
  const result: TakeInResult = {files: files.length, added: 0, grown: 0, unchanged: 0, rewritten: 0, sameAs: [], events: 0, rejected: 0, unfinished: 0, changed: false};
  await mkdir(store, {recursive: true});
  const lock = await lockStore(store);
  let duckdb: DuckDBConnection | null = null;
  const openedDuckDB = async () => (duckdb ??= await openDuckDB({tempDirectory: join(store, "tmp")}));
  try {
    let manifest = await readManifestOrStartOver(store, log);
    // Its compaction merges only these: the segments it writes wait for the next one (compact.ts: mergeable).
    const segmentsBefore = new Set(Object.keys(manifest.segments));
    await removeUnreferencedFiles(store, manifest);

    // 1. Plan: which files are new, which grew, which were rewritten.
    const {planned, rewritten} = await planFiles(files, manifest.log_files ?? {}, result);
    if (rewritten.length > 0) {
      manifest = await forgetLogFiles(store, manifest, await openedDuckDB(), rewritten);
      result.changed = true;
    }
    log(`${files.length} files: ${result.added} new, ${result.grown} grown, ${result.rewritten} rewritten, ${result.unchanged} unchanged`);
    if (planned.length === 0) return result;

    // 2. Read, parse and write in batches; commit after each.
    const enrichment = await options.enrichment();
    const batchEvents = options.batchEvents ?? DEFAULT_BATCH_EVENTS;
    let batch = new EventBatch();
    const touched = new Set<FileProgress>();
    const commit = async () => {
      manifest = await commitFileBatch(store, manifest, await openedDuckDB(), batch, [...touched], enrichment);
      log(`committed ${touched.size} files, ${batch.size} events, ${batch.rejected.length} rejected lines`);
      for (const progress of touched) {
        progress.events = 0;
        progress.rejected = 0;
      }
      touched.clear();
      batch = new EventBatch();
      result.changed = true;
    };

    for (const plan of planned) {
      const progress: FileProgress = {planned: plan, readBytes: plan.start, lines: plan.lines, events: 0, rejected: 0, tail: null};
      const origin: EventOrigin = {ingest_ts: null, log_group: null, log_stream: plan.file.instance, topic: null, kafka_partition: null, kafka_offset: null, s3_key: plan.key, event_id: null};
      const parser = options.parsers.parserFor(null, plan.file.instance);
      let carry: Buffer | null = null;
      for await (const chunk of readFrom(plan.file, plan.start)) {
        const bytes: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
        const end = bytes.lastIndexOf(0x0a) + 1;
        carry = end < bytes.length ? Buffer.from(bytes.subarray(end)) : null;
        if (end === 0) continue;
        takeLines(bytes.subarray(0, end), progress, origin, parser, batch, result);
        touched.add(progress);
        if (batch.size >= batchEvents) await commit();
      }
      if (carry !== null) {
        // A compressed file is final: its last line is whole even without a newline. A plain
        // file's last line may still be being written: it is read once it ends.
        if (plan.file.compressed) {
          takeLines(carry, progress, origin, parser, batch, result);
          touched.add(progress);
        } else {
          result.unfinished++;
        }
      }
    }
    if (touched.size > 0) await commit();
    const compacted = await compactStore(store, {alreadyLocked: true, manifest, onlyAbove: COMPACT_ABOVE_SEGMENTS, mergeable: (id) => segmentsBefore.has(id)});
    if (compacted.segmentsBefore !== compacted.segmentsAfter) log(`compacted ${compacted.segmentsBefore} segments into ${compacted.segmentsAfter}`);
    return result;
  } finally {
    // Commits here are awaited one by one: none is still writing with DuckDB.
    const opened = duckdb as DuckDBConnection | null;
    if (opened !== null) closeDuckDB(opened);
    await lock.release();
  }
}

/**
 * Matches each file with what the store knows of it. A file whose first bytes match a stored one
 * is that file: unchanged, grown (read from where it was left) or, when the bytes before the
 * read position changed, rewritten (its rows are replaced). Any other file is new.
 */
async function planFiles(files: readonly LogFile[], stored: Readonly<Record<string, StoredLogFile>>, result: TakeInResult) {
  const planned: PlannedFile[] = [];
  const rewritten: string[] = [];
  const claimed = new Map<string, string>();
  for (const file of files) {
    const head = await readHead(file, FINGERPRINT_BYTES);
    if (head.length === 0) {
      result.unchanged++;
      continue;
    }
    const fingerprint = sha256(head);
    const match = findStoredFile(file, head, stored);
    const identity = match ? match[0] : `new\u0000${file.instance}\u0000${fingerprint}`;
    const first = claimed.get(identity);
    if (first !== undefined) {
      result.sameAs.push({file: file.shown, as: first});
      continue;
    }
    claimed.set(identity, file.shown);
    if (match) {
      const [key, known] = match;
      const state = await compareWithStored(file, known);
      if (state === "unchanged") {
        result.unchanged++;
        continue;
      }
      if (state === "grown") {
        result.grown++;
        planned.push({file, key, start: known.read_bytes, lines: known.lines, fingerprint, fingerprintBytes: head.length});
        continue;
      }
      result.rewritten++;
      rewritten.push(key);
    } else {
      result.added++;
    }
    const key = logFileKey(file, fingerprint, (k) => (k in stored && !rewritten.includes(k)) || planned.some((p) => p.key === k));
    planned.push({file, key, start: 0, lines: 0, fingerprint, fingerprintBytes: head.length});
  }
  return {planned, rewritten};
}

/** Whether a known file is as it was read, grew since, or changed before where reading stopped. */
async function compareWithStored(file: LogFile, known: StoredLogFile): Promise<"unchanged" | "grown" | "rewritten"> {
  const size = await contentSize(file);
  // A .gz file's trailer gives its size modulo 2^32; a rotated file does not change after it is compressed.
  if (file.compressed && size === known.read_bytes % 2 ** 32) return "unchanged";
  if (!file.compressed && size < known.read_bytes) return "rewritten";
  const tailStart = known.read_bytes - known.tail_bytes;
  let tail: Buffer;
  if (file.compressed) {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of readFrom(file, tailStart)) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= known.tail_bytes) break;
    }
    tail = Buffer.concat(chunks).subarray(0, known.tail_bytes);
  } else {
    tail = await readBytesAt(file, tailStart, known.tail_bytes);
  }
  if (tail.length < known.tail_bytes || sha256(tail) !== known.tail) return "rewritten";
  return size === known.read_bytes ? "unchanged" : "grown";
}

/** Adds the complete lines in `bytes` (each ending in a newline, but perhaps the last) to the batch. */
function takeLines(bytes: Buffer, progress: FileProgress, origin: EventOrigin, parser: LineParser, batch: EventBatch, result: TakeInResult): void {
  const key = progress.planned.key;
  const take = (line: string, validUtf8: boolean) => {
    progress.lines++;
    if (isBlank(line)) return;
    const reason = !validUtf8 ? "line: not valid UTF-8" : null;
    const parsed = reason === null ? parser.parse(line) : null;
    if (parsed === null || isParseError(parsed)) {
      const why = reason ?? `line: ${(parsed as {error: string}).error}`;
      batch.reject({s3_key: key, topic: null, kafka_partition: null, kafka_offset: null, line_number: progress.lines, reason: why, line: line.length > REJECTED_LINE_MAX_CHARS ? line.slice(0, REJECTED_LINE_MAX_CHARS) : line});
      progress.rejected++;
      result.rejected++;
      return;
    }
    batch.add(origin, parsed);
    progress.events++;
    result.events++;
  };
  if (isUtf8(bytes)) {
    const text = bytes.toString("utf8");
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      take(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end), true);
      start = end + 1;
    }
  } else {
    // Rare: find the lines that are not UTF-8 one by one, and reject those alone.
    for (let start = 0; start < bytes.length; ) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      const line = bytes.subarray(start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
      take(line.toString("utf8"), isUtf8(line));
      start = end + 1;
    }
  }
  progress.readBytes += bytes.length;
  const lastLineStart = bytes.length >= 2 ? bytes.lastIndexOf(0x0a, bytes.length - 2) + 1 : 0;
  progress.tail = Buffer.from(bytes.subarray(Math.max(lastLineStart, bytes.length - TAIL_BYTES)));
}

/**
 * Writes the batch as new segments and swaps the manifest: the files' new read positions and
 * counts go in with the rows, in the same rename.
 */
async function commitFileBatch(store: string, manifest: Manifest, duckdb: DuckDBConnection, batch: EventBatch, progress: readonly FileProgress[], enrichment: Enrichment): Promise<Manifest> {
  const next: Manifest = {...manifest, segments: {...manifest.segments}, log_files: {...manifest.log_files}};
  const newSegmentsOf = new Map<string, string[]>();
  if (batch.size > 0 || batch.rejected.length > 0) {
    for (const {id, segment, keys} of await writeBatchSegments(store, duckdb, batch, enrichment)) {
      next.segments[id] = segment;
      for (const key of keys) newSegmentsOf.set(key, [...(newSegmentsOf.get(key) ?? []), id]);
    }
  }
  for (const p of progress) {
    if (p.tail === null) continue;
    const {planned} = p;
    const before = next.log_files![planned.key];
    next.log_files![planned.key] = {
      instance: planned.file.instance,
      fingerprint: planned.fingerprint,
      fingerprint_bytes: planned.fingerprintBytes,
      read_bytes: p.readBytes,
      tail: sha256(p.tail),
      tail_bytes: p.tail.length,
      lines: p.lines,
      events: (before?.events ?? 0) + p.events,
      rejected: (before?.rejected ?? 0) + p.rejected,
      path: planned.file.shown,
      segments: [...new Set([...(before?.segments ?? []), ...(newSegmentsOf.get(planned.key) ?? [])])],
    };
  }
  await writeManifest(store, next);
  await removeUnreferencedFiles(store, next);
  return next;
}

/** Removes rewritten files' rows and what the store knew of them, in one commit; they are then read anew. */
async function forgetLogFiles(store: string, manifest: Manifest, duckdb: DuckDBConnection, keys: readonly string[]): Promise<Manifest> {
  const next: Manifest = {...manifest, objects: {...manifest.objects}, segments: {...manifest.segments}, log_files: {...manifest.log_files}};
  const replacements = new Map<string, string | null>();
  for (const oldId of new Set(keys.flatMap((key) => manifest.log_files![key].segments))) {
    delete next.segments[oldId];
    const rewritten = await rewriteSegmentWithout(store, duckdb, manifest.segments[oldId], keys);
    if (rewritten) next.segments[rewritten.id] = rewritten.segment;
    replacements.set(oldId, rewritten?.id ?? null);
  }
  for (const key of keys) delete next.log_files![key];
  repointSegments(next.objects, replacements);
  repointSegments(next.log_files!, replacements);
  await writeManifest(store, next);
  await removeUnreferencedFiles(store, next);
  return next;
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
