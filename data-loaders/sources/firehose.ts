// Kinesis Data Firehose's objects in S3, as a CloudWatch Logs subscription filter delivers them:
//   <prefix>YYYY/MM/dd/HH/<delivery stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<uuid>
// gzip (with no .gz suffix), the folders and the name in UTC delivery time. Keys therefore sort
// by time, and the tail of the bucket is listed from a little before the newest key the store
// holds (Firehose flushes a buffer up to 15 minutes after its first record, and several delivery
// streams may share the prefix, so the listing starts an hour before that key's hour folder).
import {listKeys, type ListedKey} from "./list-keys.js";
import type {ListPages} from "./list-pages.js";

const FILE_NAME = /^(.+)-(\d+)-(\d{4})-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:\.gz)?$/;
const HOUR_FOLDER = /^(\d{4})\/(\d\d)\/(\d\d)\/(\d\d)\//;

/** How far before the newest known key's hour folder the tail listing starts. */
export const TAIL_HOURS = 1;

export interface ListedFirehoseObject extends ListedKey {
  /** Why the key is not read as events, or null for a Firehose object. */
  skipped: string | null;
}

/** Why `key` is not a Firehose object to read, or null when it is one. */
export function firehoseKeyProblem(key: string, prefix: string): string | null {
  if (!key.startsWith(prefix)) return `not under the prefix "${prefix}"`;
  if (key.endsWith("/")) return "a folder marker";
  if (!FILE_NAME.test(key.slice(key.lastIndexOf("/") + 1))) return "not a Firehose object name (<stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<uuid>)";
  return null;
}

/**
 * Where the tail listing starts: the hour folder TAIL_HOURS before the newest known key's, or
 * null (list everything) when the store holds none or the keys are not in YYYY/MM/dd/HH/ folders.
 */
export function tailListingStart(knownKeys: Iterable<string>, prefix: string): string | null {
  let newest: string | null = null;
  for (const key of knownKeys) if (newest === null || key > newest) newest = key;
  if (newest === null) return null;
  const folder = HOUR_FOLDER.exec(newest.slice(prefix.length));
  if (!folder) return null;
  const [, year, month, day, hour] = folder;
  const start = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour)) - TAIL_HOURS * 3_600_000);
  const two = (n: number) => String(n).padStart(2, "0");
  // Keys in that folder sort after the folder name itself.
  return `${prefix}${start.getUTCFullYear()}/${two(start.getUTCMonth() + 1)}/${two(start.getUTCDate())}/${two(start.getUTCHours())}/`;
}

/** The objects under the prefix, from `startAfter` on (null: all of them), each with why it is skipped, if it is. */
export async function* listFirehoseObjects(listPage: ListPages, where: {bucket: string; prefix: string}, startAfter: string | null): AsyncGenerator<ListedFirehoseObject> {
  for await (const listed of listKeys(listPage, {...where, startAfter: startAfter ?? undefined})) {
    yield {...listed, skipped: firehoseKeyProblem(listed.key, where.prefix)};
  }
}
