// Fetches objects a few at a time, in plan order, while the caller parses the previous ones.
import type {S3Client} from "@aws-sdk/client-s3";
import {isVanishedObject, readSinkObject, type SinkObjectBody} from "./s3-sink.js";

/** Each object with its content (gunzipped), or null when it was deleted since it was listed. */
export async function* readAhead<T extends {key: string}>(client: S3Client, bucket: string, objects: readonly T[], concurrency: number): AsyncGenerator<{object: T; content: SinkObjectBody | null}> {
  const pending: Promise<SinkObjectBody | null>[] = [];
  const start = (i: number) => {
    const read = readSinkObject(client, bucket, objects[i].key, "gzip").catch((error) => {
      if (isVanishedObject(error)) return null;
      throw error;
    });
    // A read fetched ahead may fail after an earlier one already stopped the sync: that second
    // failure is expected, not an unhandled rejection. The first failure is still thrown below.
    read.catch(() => {});
    return read;
  };
  for (let i = 0; i < Math.min(concurrency, objects.length); i++) pending.push(start(i));
  for (let i = 0; i < objects.length; i++) {
    const content = await pending[i];
    if (i + concurrency < objects.length) pending.push(start(i + concurrency));
    yield {object: objects[i], content};
  }
}
