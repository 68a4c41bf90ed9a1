// `weblog publish`: the store's days to the bucket as Hive-partitioned Parquet, doing only what
// changed. The bucket's listing is compared with the store's days (layout.ts): a day whose
// current version is not there is written and uploaded under its new name, and only then are
// its older files deleted, so a reader finds the day's old file, or its new one, or for the
// moment between the PUT and the DELETE both (docs/configuration.md, Publishing). Days gone
// from the store are deleted last.
import {mkdir, rm} from "node:fs/promises";
import {join} from "node:path";
import type {S3Client} from "@aws-sdk/client-s3";
import {ConfigError, CONFIG_FILE_NAME, normalizePrefix, type WeblogConfig} from "../config.js";
import {daysOf} from "../site-data.js";
import {temporaryPathFor} from "../store/durable-file.js";
import {OutdatedStoreError, sharedManifest, type Manifest} from "../store/manifest.js";
import {deleteKey, listPublished, putFile} from "./bucket.js";
import {writeDayFile} from "./day-file.js";
import {publishedKey, type PublishedFile} from "./layout.js";

export interface PublishTarget {
  bucket: string;
  prefix: string;
}

export interface PublishResult {
  /** Days uploaded, with their events. */
  uploaded: {day: string; events: number; key: string}[];
  /** Days whose current version was already in the bucket. */
  unchanged: number;
  /** Days deleted from the bucket because the store no longer has them. */
  removed: string[];
  /** Older files deleted: replaced days' and removed days'. */
  deletedFiles: number;
  /** Every day now published, in order. */
  days: string[];
}

/**
 * A store with no events: there is nothing to publish, and publishing it would empty the table.
 * A ConfigError, so the command prints it as one line (a store path or a sync the user must fix).
 */
export class EmptyStoreError extends ConfigError {}

/** The bucket and prefix, or a message that says how to set them. */
export function publishTarget(config: WeblogConfig, given: {bucket?: string; prefix?: string} = {}): PublishTarget {
  const bucket = given.bucket || config.publish.bucket;
  if (!bucket) {
    throw new ConfigError(
      `no bucket to publish to: give --bucket, or set "publish": {"bucket": …} in ${CONFIG_FILE_NAME} or WEBLOG_PUBLISH_BUCKET (see docs/configuration.md)`,
    );
  }
  const prefix = given.prefix !== undefined ? normalizePrefix(given.prefix) : config.publish.prefix;
  // Sync would list the published files as keys it cannot read, and the table would hold the logs.
  const {source} = config;
  if (source.bucket === bucket && prefix.startsWith(source.prefix)) {
    throw new ConfigError(`the publish prefix s3://${bucket}/${prefix} is inside the source prefix s3://${bucket}/${source.prefix}: publish under another prefix or bucket`);
  }
  return {bucket, prefix};
}

export interface PublishOptions {
  client: S3Client;
  log?: (message: string) => void;
}

export async function publishStore(config: WeblogConfig, target: PublishTarget, {client, log = () => {}}: PublishOptions): Promise<PublishResult> {
  const days = daysOf(await readStoreManifest(config.store)).filter((d) => d.events > 0);
  if (days.length === 0) throw new EmptyStoreError(`the store ${config.store} holds no events: run \`npx weblog sync\` first (nothing was published or deleted)`);
  const {bucket, prefix} = target;

  const published = new Map<string, PublishedFile[]>();
  for (const file of await listPublished(client, bucket, prefix)) published.set(file.day, [...(published.get(file.day) ?? []), file]);

  const result: PublishResult = {uploaded: [], unchanged: 0, removed: [], deletedFiles: 0, days: []};
  await mkdir(join(config.store, "tmp"), {recursive: true});
  for (const {day, version} of days) {
    const there = published.get(day) ?? [];
    published.delete(day);
    let current = there.find((f) => f.version === version)?.key;
    if (current !== undefined) {
      result.unchanged++;
    } else {
      const uploaded = await uploadDay(config.store, client, target, day);
      if (uploaded === null) {
        // Gone from the store since it was read (a sync removed it): its files go with the removed days.
        published.set(day, there);
        continue;
      }
      result.uploaded.push(uploaded);
      log(`publish: day=${day} uploaded (${uploaded.events} events)`);
      current = uploaded.key;
    }
    result.days.push(day);
    // Older versions, and any second file a publish killed between its PUT and DELETE left.
    for (const old of there.filter((f) => f.key !== current)) {
      await deleteKey(client, bucket, old.key);
      result.deletedFiles++;
    }
  }
  for (const [day, files] of published) {
    for (const file of files) await deleteKey(client, bucket, file.key);
    result.deletedFiles += files.length;
    result.removed.push(day);
    log(`publish: day=${day} removed (no longer in the store)`);
  }
  return result;
}

/** The store's manifest; one written by an earlier version is a line saying to sync, not a stack. */
async function readStoreManifest(store: string): Promise<Manifest> {
  try {
    return await sharedManifest(store);
  } catch (error) {
    if (error instanceof OutdatedStoreError) throw new ConfigError(error.message);
    throw error;
  }
}

/** Writes the day's file and uploads it under its version's key; null when the day has left the store. */
async function uploadDay(store: string, client: S3Client, {bucket, prefix}: PublishTarget, day: string) {
  const file = temporaryPathFor(join(store, "tmp", `publish-${day}.parquet`));
  try {
    const written = await writeDayFile(store, day, file);
    if (written === null) return null;
    const key = publishedKey(prefix, day, written.version);
    await putFile(client, bucket, key, file);
    return {day, events: written.events, key};
  } finally {
    await rm(file, {force: true});
  }
}
