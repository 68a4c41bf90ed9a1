// Where a published day lives in the bucket: the Hive layout Athena, Spark and Databricks read,
// `<prefix>day=YYYY-MM-DD/events-<version>.parquet`. The day's version (site-data.ts daysOf) is in
// the file name, so a listing of the bucket says which version of each day is published: the
// bucket itself is the record of what was published, and nothing else needs to be kept in step.
/** A published day file, as its key says. */
export interface PublishedFile {
  key: string;
  /** YYYY-MM-DD, or "undated" (store/manifest.ts UNDATED): the partition column `day` is a string. */
  day: string;
  version: string;
}

/** The key of `day`'s file at `version`. */
export function publishedKey(prefix: string, day: string, version: string): string {
  return `${prefix}day=${day}/events-${version}.parquet`;
}

// Only keys of this exact shape are ours: anything else under the prefix is left alone.
const PUBLISHED_KEY = /^day=(\d{4}-\d{2}-\d{2}|undated)\/events-([0-9a-f]{16})\.parquet$/;

/** The day and version a key names, or null for a key that is not a published day file. */
export function parsePublishedKey(prefix: string, key: string): PublishedFile | null {
  if (!key.startsWith(prefix)) return null;
  const match = PUBLISHED_KEY.exec(key.slice(prefix.length));
  return match ? {key, day: match[1], version: match[2]} : null;
}

/** The table's location, as the DDL names it: s3://bucket/prefix/ */
export function tableLocation({bucket, prefix}: {bucket: string; prefix: string}): string {
  return `s3://${bucket}/${prefix}`;
}
