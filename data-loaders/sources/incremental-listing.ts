// Listing only the tail of the bucket. Listing every key under the prefix costs a request per
// 1,000 objects, so a poll of a year of S3 sink output would cost thousands of requests to find
// the one new object. The S3 sink writes each topic under its own folder (`<prefix><topic>/…`)
// and names each object after its first Kafka offset, zero-padded, so within a folder new objects
// sort after the ones before them. S3 lists keys in order and can start after a given key, so:
//   - each partition of each topic folder the store knows is listed from just before its last
//     few objects (the last REWRITE_WINDOW are listed again: a connector restarted mid-object
//     rewrites the latest objects under the same names, and their ETags tell; a Kafka key file
//     landing after its value object is seen the same way);
//   - folders the store does not know yet (a new instance's topic) are found by listing folder
//     names one level at a time, and listed whole.
// What this cannot see (a rewrite of an older object, keys that sort before the ones known) the
// periodic full listing catches: sync lists everything when the last full listing is older than
// the configured interval (config.ts: fullListingMinutes).
import type {ListedObject} from "./list-page.js";
import type {ListPages} from "./list-pages.js";
import {listSinkObjects, toListedSinkObject, type ListedSinkObject} from "./s3-sink.js";
import {partitionName, topicPartitionOf} from "./sink-object-key.js";

/** How many of each partition's latest objects are listed again, to catch rewrites under the same name. */
export const REWRITE_WINDOW = 10;

/** An object the store already holds: its key, and the topic and partition its name gives. */
export interface KnownObject {
  key: string;
  topic: string;
  partition: number;
}

/** Where each partition's listing starts: `<topic>+<partition>` → the key to list after, or null for all of it. */
export type PartitionStarts = Map<string, string | null>;

/**
 * For each topic folder the store knows, where each of its partitions is listed from: after all
 * but its last REWRITE_WINDOW objects, or from the start while it has no more than that.
 */
export function listingStarts(known: Iterable<KnownObject>, prefix: string): Map<string, PartitionStarts> {
  const byFolder = new Map<string, Map<string, string[]>>();
  for (const object of known) {
    const folder = topicFolder(object.key, object.topic, prefix);
    const partitions = byFolder.get(folder) ?? new Map<string, string[]>();
    byFolder.set(folder, partitions);
    const partition = partitionName(object.topic, object.partition);
    const keys = partitions.get(partition);
    if (keys) keys.push(object.key);
    else partitions.set(partition, [object.key]);
  }
  // A folder inside another (a key whose topic folder could not be told) is listed with it.
  const folders = [...byFolder.keys()].sort((a, b) => a.length - b.length);
  const starts = new Map<string, PartitionStarts>();
  for (const folder of folders) {
    const outer = folders.find((other) => other !== folder && folder.startsWith(other)) ?? folder;
    const partitionStarts = starts.get(outer) ?? new Map<string, string | null>();
    starts.set(outer, partitionStarts);
    for (const [partition, keys] of byFolder.get(folder)!) {
      keys.sort();
      partitionStarts.set(partition, keys.length > REWRITE_WINDOW ? keys[keys.length - 1 - REWRITE_WINDOW] : null);
    }
  }
  return starts;
}

/**
 * The topic's folder in `key`: `<prefix><topic>/` for the S3 sink's layout, or the prefix
 * itself when the prefix is deeper than that or the key has no folder named after the topic.
 */
export function topicFolder(key: string, topic: string, prefix: string): string {
  const marker = `${topic}/`;
  let at = key.startsWith(marker) ? 0 : -1;
  if (at < 0) {
    const slash = key.indexOf(`/${marker}`, Math.max(0, prefix.length - 1));
    at = slash < 0 ? -1 : slash + 1;
  }
  if (at < 0) return prefix;
  const folder = key.slice(0, at + marker.length);
  return folder.length < prefix.length ? prefix : folder;
}

/**
 * The objects under `prefix` that may be new or rewritten: the tail of every known topic folder,
 * and every object of the folders not known yet.
 */
export async function* listSinkObjectsAfter(
  listPage: ListPages,
  where: {bucket: string; prefix: string},
  starts: ReadonlyMap<string, PartitionStarts>,
): AsyncGenerator<ListedSinkObject> {
  const folders = [...starts.keys()];
  const within = (path: string) => folders.find((folder) => path.startsWith(folder));
  const around = (path: string) => folders.some((folder) => folder.startsWith(path));

  async function* walk(path: string): AsyncGenerator<ListedSinkObject> {
    const folder = within(path);
    if (folder !== undefined) {
      yield* listFolder(listPage, where.bucket, folder, starts.get(folder)!, where.prefix);
    } else if (!around(path)) {
      yield* listSinkObjects(listPage, {bucket: where.bucket, prefix: path}, where.prefix);
    } else {
      // An ancestor of known folders: look one level down for the folders in it.
      for await (const page of folderPages(listPage, where.bucket, path)) {
        for (const object of page.objects) yield toListedSinkObject(object, where.prefix);
        for (const sub of page.folders) yield* walk(sub);
      }
    }
  }
  yield* walk(where.prefix);
}

/**
 * The folder's keys past each partition's start. The listing begins at the earliest start; on
 * meeting a key its partition has already seen, it jumps ahead to that partition's start, so
 * a folder of several partitions costs a request or two per partition, not one per 1,000 keys.
 */
async function* listFolder(listPage: ListPages, bucket: string, folder: string, starts: PartitionStarts, prefix: string): AsyncGenerator<ListedSinkObject> {
  const values = [...starts.values()];
  let cursor = values.includes(null) ? undefined : values.sort()[0]!;
  let token: string | undefined;
  pages: while (true) {
    const page = await listPage({bucket, prefix: folder, startAfter: token ? undefined : cursor, continuationToken: token});
    for (const object of page.objects) {
      // Kafka key and header files sit beside the values under the same names, sorting right
      // after their value object: listed with it. A key file landing late for the object the
      // listing starts after is listed without its value object; sync matches it by name.
      const of = topicPartitionOf(object.key);
      const start = of ? starts.get(partitionName(of.topic, of.partition)) : undefined;
      if (start && object.key <= start) {
        // Keys only go up, and the cursor with them: at most one jump per partition.
        cursor = start;
        token = undefined;
        continue pages;
      }
      yield toListedSinkObject(object, prefix);
    }
    if (page.nextToken === null) return;
    token = page.nextToken;
  }
}

async function* folderPages(listPage: ListPages, bucket: string, path: string): AsyncGenerator<{objects: ListedObject[]; folders: string[]}> {
  let token: string | undefined;
  do {
    const page = await listPage({bucket, prefix: path, delimiter: "/", continuationToken: token});
    yield page;
    token = page.nextToken ?? undefined;
  } while (token);
}
