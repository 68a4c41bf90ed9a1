// What the tests of reading objects start with: a bucket on the local S3 endpoint holding the
// given objects, a client of it, and each object's ETag as a listing gives it.
import {CreateBucketCommand, PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3} from "../../scripts/local-s3.js";

export interface LocalBucket {
  s3: LocalS3;
  /** Where and how the client connects, as a source's settings say it. */
  source: {region: string; endpoint: string; forcePathStyle: boolean};
  client: S3Client;
  etags: Record<string, string>;
}

export async function localBucketOf(bucket: string, objects: Record<string, Buffer>): Promise<LocalBucket> {
  Object.assign(process.env, LOCAL_S3_CREDENTIALS);
  const s3 = await startLocalS3();
  const source = {region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true};
  const client = createS3Client(source);
  await client.send(new CreateBucketCommand({Bucket: bucket}));
  const etags: Record<string, string> = {};
  for (const [Key, Body] of Object.entries(objects)) etags[Key] = (await client.send(new PutObjectCommand({Bucket: bucket, Key, Body}))).ETag!;
  return {s3, source, client, etags};
}
