// A benchmark's bucket: a work folder under the OS temp directory, the local S3 endpoint in a
// process of its own (so its work is not counted as the benchmark's), and a workload's S3 sink
// objects uploaded to it. What bench/s3-reads.ts, ingest-profile.ts, sync-ab.ts and sync-tail.ts
// start from; `close()` stops the endpoint and removes the folder.
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {CreateBucketCommand, type S3Client} from "@aws-sdk/client-s3";
import {createS3Client} from "../data-loaders/sources/s3-client.js";
import {LOCAL_S3_CREDENTIALS} from "../scripts/local-s3.js";
import {startLocalS3Process} from "./local-s3-process.js";
import {uploadWorkload, type RecordShape, type Workload} from "./workload.js";

export interface BenchBucket {
  /** The work folder: stores, GeoLite2 copies and profiles go here. */
  work: string;
  endpoint: string;
  bucket: string;
  /** A client of the endpoint, as sync makes one. */
  client: S3Client;
  /** The environment that points `weblog sync` at the bucket, with its store at `store`. */
  syncEnvironment(store: string, geoipDir: string): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function benchBucket(name: string, events: number, workload: Workload, shape: RecordShape = "message"): Promise<BenchBucket> {
  // The local endpoint takes any credentials; these keep the SDK from searching for real ones.
  Object.assign(process.env, LOCAL_S3_CREDENTIALS);
  const work = await mkdtemp(join(tmpdir(), `weblog-${name}-`));
  const s3 = await startLocalS3Process(work);
  const bucket = "bench";
  const client = createS3Client({region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true});
  try {
    await client.send(new CreateBucketCommand({Bucket: bucket}));
    await uploadWorkload(client, bucket, events, workload, {shape});
  } catch (error) {
    await s3.stop();
    await rm(work, {recursive: true, force: true});
    throw error;
  }
  return {
    work,
    endpoint: s3.endpoint,
    bucket,
    client,
    syncEnvironment: (store, geoipDir) => ({
      ...process.env,
      WEBLOG_CONFIG: "",
      WEBLOG_BUCKET: bucket,
      WEBLOG_S3_ENDPOINT: s3.endpoint,
      WEBLOG_STORE: store,
      WEBLOG_GEOIP_DIR: geoipDir,
      NODE_NO_WARNINGS: "1",
    }),
    async close() {
      client.destroy();
      await s3.stop();
      await rm(work, {recursive: true, force: true});
    },
  };
}
