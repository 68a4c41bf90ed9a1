// Every object under a prefix, page by page (S3 answers at most 1,000 keys a page), optionally
// starting after a key: S3 lists keys in order, so a time-ordered layout can be listed from
// where it last ended.
import {ListObjectsV2Command, type S3Client} from "@aws-sdk/client-s3";
import {withS3Errors} from "./s3-sink.js";

/** A listed object: key, ETag (to tell a rewrite) and size. */
export interface ListedKey {
  key: string;
  etag: string;
  size: number;
}

export async function* listKeys(client: S3Client, where: {bucket: string; prefix: string; startAfter?: string}): AsyncGenerator<ListedKey> {
  let token: string | undefined;
  do {
    const page = await withS3Errors(`listing s3://${where.bucket}/${where.prefix}`, client, () =>
      client.send(new ListObjectsV2Command({Bucket: where.bucket, Prefix: where.prefix, StartAfter: token ? undefined : where.startAfter, ContinuationToken: token})),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key) yield {key: object.Key, etag: object.ETag ?? "", size: object.Size ?? 0};
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
