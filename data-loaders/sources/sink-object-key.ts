// What an S3 sink object's key says: `<topics.dir>/<topic>/<partition path>/<topic>+<kafka partition>+<start offset>.<ext>`.
// The file name alone carries topic, partition and offset; the directories in between depend on
// the connector's partitioner (year=2023/, dt=…/, partition=0/…) and are not relied on.

export type Compression = "none" | "gzip";

export interface SinkObjectKey {
  key: string;
  topic: string;
  partition: number;
  startOffset: number;
  compression: Compression;
}

/**
 * A Kafka key file the sink writes beside a value object (store.kafka.keys=true): the record keys,
 * one a line, in the order of the values. Read with its value object, never as events.
 */
export interface SinkKeyFileKey {
  key: string;
  keyFile: true;
  /** The value object it belongs to, without extensions: see sinkObjectStem. */
  stem: string;
  compression: Compression;
}

export interface SkippedKey {
  key: string;
  /** Why the key is not read as events. */
  skipped: string;
}

const FILE_NAME = /^(.+)\+(\d+)\+(\d+)((?:\.[A-Za-z0-9]+)*)$/;

/**
 * One Kafka partition of one topic, named as the S3 sink names it in object keys
 * (`<topic>+<partition>`; Kafka topic names cannot hold a "+").
 */
export function partitionName(topic: string, partition: number): string {
  return `${topic}+${partition}`;
}

/** The topic and Kafka partition a file name gives, whatever the file holds (values, keys, headers); null for other names. */
export function topicPartitionOf(key: string): {topic: string; partition: number} | null {
  const match = FILE_NAME.exec(key.slice(key.lastIndexOf("/") + 1));
  return match ? {topic: match[1], partition: Number(match[2])} : null;
}

/**
 * The key without its extensions: a value object and its key and header files share it
 * (`…/t+0+0000000500.json`, `…/t+0+0000000500.keys.bin.gz` → `…/t+0+0000000500`).
 */
export function sinkObjectStem(key: string): string {
  const slash = key.lastIndexOf("/");
  const match = FILE_NAME.exec(key.slice(slash + 1));
  return match ? key.slice(0, key.length - match[4].length) : key;
}

export function parseSinkObjectKey(key: string, prefix: string): SinkObjectKey | SinkKeyFileKey | SkippedKey {
  if (!key.startsWith(prefix)) return {key, skipped: `not under the prefix "${prefix}"`};
  if (key.endsWith("/")) return {key, skipped: "a folder marker"};
  const name = key.slice(key.lastIndexOf("/") + 1);
  const match = FILE_NAME.exec(name);
  if (!match) return {key, skipped: "not an S3 sink object name (<topic>+<partition>+<offset>.json)"};
  const [, topic, partition, offset, extensions] = match;
  // Keys and headers, when the connector stores them, sit beside the values: `.keys.json`, `.headers.bin`…
  if (/^\.keys\.(bin|json)(\.gz)?$/.test(extensions)) return {key, keyFile: true, stem: key.slice(0, key.length - extensions.length), compression: extensions.endsWith(".gz") ? "gzip" : "none"};
  if (/^\.keys\./.test(extensions)) return {key, skipped: `Kafka key file not read (${extensions}: only keys.bin and keys.json are)`};
  if (/^\.headers\./.test(extensions)) return {key, skipped: "Kafka headers file"};
  let compression: Compression;
  if (extensions === ".json") compression = "none";
  else if (extensions === ".json.gz") compression = "gzip";
  else return {key, skipped: `not JSON (${extensions || "no extension"}): only the JSON output format is read`};
  const startOffset = Number(offset);
  if (!Number.isSafeInteger(startOffset)) return {key, skipped: "start offset out of range"};
  return {key, topic, partition: Number(partition), startOffset, compression};
}
