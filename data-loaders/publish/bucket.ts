// The three things `weblog publish` does to the bucket: list what is published, put a day file,
// delete one. Each S3 failure becomes one line saying what was being done and what to check.
import {createHash} from "node:crypto";
import {readFile} from "node:fs/promises";
import {DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import {withS3Errors} from "../sources/s3-sink.js";
import {parsePublishedKey, type PublishedFile} from "./layout.js";

/** What publishing asks of the bucket, named when access is denied. */
const PUBLISH_PERMISSIONS = "list and write this bucket (s3:ListBucket, s3:PutObject, s3:DeleteObject on the publish prefix)";

/** The published day files under `prefix`; other keys there are not ours and are left out. */
export async function listPublished(client: S3Client, bucket: string, prefix: string): Promise<PublishedFile[]> {
  const files: PublishedFile[] = [];
  let token: string | undefined;
  do {
    const page = await withS3Errors(
      `listing s3://${bucket}/${prefix}`,
      client,
      () => client.send(new ListObjectsV2Command({Bucket: bucket, Prefix: prefix, ContinuationToken: token})),
      PUBLISH_PERMISSIONS,
    );
    for (const object of page.Contents ?? []) {
      const file = object.Key ? parsePublishedKey(prefix, object.Key) : null;
      if (file) files.push(file);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return files;
}

/**
 * Uploads a file in one PUT (S3 takes up to 5 GB so). The body is read into memory rather than
 * streamed: the SDK retries a PUT of bytes on throttling or a 500, but not one of a stream. Its
 * MD5 goes with it, so S3 refuses a body damaged on the way instead of storing it.
 */
export async function putFile(client: S3Client, bucket: string, key: string, file: string): Promise<void> {
  const body = await readFile(file);
  const md5 = createHash("md5").update(body).digest("base64");
  await withS3Errors(
    `uploading s3://${bucket}/${key}`,
    client,
    () => client.send(new PutObjectCommand({Bucket: bucket, Key: key, Body: body, ContentMD5: md5, ContentType: "application/vnd.apache.parquet"})),
    PUBLISH_PERMISSIONS,
  );
}

export async function deleteKey(client: S3Client, bucket: string, key: string): Promise<void> {
  await withS3Errors(`deleting s3://${bucket}/${key}`, client, () => client.send(new DeleteObjectCommand({Bucket: bucket, Key: key})), PUBLISH_PERMISSIONS);
}
