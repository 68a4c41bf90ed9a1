// Fetches objects a few at a time, in plan order, while the caller parses the previous ones.
import {setImmediate} from "node:timers/promises";
import type {S3Client} from "@aws-sdk/client-s3";
import type {Compression} from "./sink-object-key.js";
import type {SinkObjectBody} from "./object-body.js";
import {isVanishedObject, readSinkObject} from "./s3-sink.js";

/**
 * The results of `start(0)` … `start(count - 1)` in order, with up to `concurrency` of them under
 * way while the caller works on the one before. Only the reads in flight are held: a result is
 * the caller's alone once yielded (holding every result kept each object a sync read in memory to
 * its end: 4.3 GB of peak RSS at 10M events).
 */
export async function* inOrderAhead<R>(count: number, concurrency: number, start: (index: number) => Promise<R>): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  let next = 0;
  const startNext = () => {
    const result = start(next++);
    // A read fetched ahead may fail after an earlier one already stopped the caller: that second
    // failure is expected, not an unhandled rejection. The first failure is still thrown below.
    result.catch(() => {});
    inFlight.push(result);
  };
  while (next < Math.min(concurrency, count)) startNext();
  for (let i = 0; i < count; i++) {
    // A turn of the event loop for each object: a read already arrived resolves at once, and
    // without the turn the caller parses on and on while whatever else waits on this thread (the
    // commit under way, whose next statement DuckDB cannot start until its last one's completion
    // is handled here) waits until the reads fall behind. At 1M events the first commit's day
    // files were done 7.7–7.9 s into the sync instead of 6.3–6.6 s, and the next batch waited on them.
    await setImmediate();
    const result = await inFlight.shift()!;
    if (next < count) startNext();
    yield result;
  }
}

/** An object's content (gunzipped), or null when it was deleted since it was listed. */
export function readUnlessVanished(client: S3Client, bucket: string, key: string, compression: Compression): Promise<SinkObjectBody | null> {
  return readSinkObject(client, bucket, key, compression).catch((error) => {
    if (isVanishedObject(error)) return null;
    throw error;
  });
}

/** Each object with its content (gunzipped), or null when it was deleted since it was listed. */
export function readAhead<T extends {key: string}>(client: S3Client, bucket: string, objects: readonly T[], concurrency: number): AsyncGenerator<{object: T; content: SinkObjectBody | null}> {
  return inOrderAhead(objects.length, concurrency, async (i) => ({object: objects[i], content: await readUnlessVanished(client, bucket, objects[i].key, "gzip")}));
}
