// What most test files that sync start with: the local S3 endpoint (the SDK given its
// credentials, which it takes from the process environment) and a temporary folder for the store
// and the project, both gone after the file's tests.
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {CreateBucketCommand, type S3Client} from "@aws-sdk/client-s3";
import {resolveConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3} from "../../scripts/local-s3.js";

export async function startLocalS3AndFolder(prefix: string): Promise<{s3: LocalS3; dir: string}> {
  Object.assign(process.env, LOCAL_S3_CREDENTIALS);
  const s3 = await startLocalS3();
  return {s3, dir: await mkdtemp(join(tmpdir(), prefix))};
}

/** Stops the endpoint and removes the folder, whichever of them a failed start left. */
export async function stopLocalS3AndFolder(s3: LocalS3 | undefined, dir: string | undefined): Promise<void> {
  await s3?.stop();
  if (dir) await rm(dir, {recursive: true, force: true});
}

/** The endpoint and folder with an empty bucket, a sync's configuration of it (the store in the folder) and a client of it. */
export interface SinkBucket {
  s3: LocalS3;
  dir: string;
  config: WeblogConfig;
  client: S3Client;
}

/** What a test of syncing S3 sink objects starts from: startLocalS3AndFolder, and `bucket` made in it. */
export async function startSinkBucket(prefix: string, bucket: string): Promise<SinkBucket> {
  const {s3, dir} = await startLocalS3AndFolder(prefix);
  const config = resolveConfig({bucket, endpoint: s3.endpoint, store: join(dir, "store")}, {WEBLOG_GEOIP_DIR: join(dir, "geoip")}, dir);
  const client = createS3Client(config.source);
  await client.send(new CreateBucketCommand({Bucket: bucket}));
  return {s3, dir, config, client};
}

/** Stops what startSinkBucket started, whatever of it a failed start left. */
export async function stopSinkBucket(bucket: Partial<SinkBucket> | undefined): Promise<void> {
  bucket?.client?.destroy();
  await stopLocalS3AndFolder(bucket?.s3, bucket?.dir);
}
