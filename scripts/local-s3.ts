// The project's own S3-compatible endpoint for the demo and the tests: fauxqs's S3 API, in
// memory, on a local port. `npx tsx scripts/local-s3.ts [dir]` runs one by hand, holding the
// files under dir (default: the bundled sample) in bucket s3sink-3.
import {readdir, readFile} from "node:fs/promises";
import {join, relative, resolve, sep} from "node:path";
import {fileURLToPath} from "node:url";
import {CreateBucketCommand, HeadBucketCommand, PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import {startFauxqs} from "fauxqs";

export interface LocalS3 {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  stop(): Promise<void>;
}

export async function startLocalS3(options: {port?: number} = {}): Promise<LocalS3> {
  const server = await startFauxqs({port: options.port ?? 0, logger: false});
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    stop: () => server.stop(),
  };
}

/** Credentials the local endpoint accepts; they keep the SDK from looking for real ones. */
// Distinctive, so tests can prove they never reach the built site.
export const LOCAL_S3_CREDENTIALS = {AWS_ACCESS_KEY_ID: "AKIALOCALS3TESTONLY0", AWS_SECRET_ACCESS_KEY: "local-s3-secret-never-in-the-site"} as const;

/** Creates the bucket if needed and uploads every file under `dir`, its relative path as the key. Returns the count. */
export async function seedBucket(client: S3Client, bucket: string, dir: string): Promise<number> {
  const exists = await client.send(new HeadBucketCommand({Bucket: bucket})).then(() => true, () => false);
  if (!exists) await client.send(new CreateBucketCommand({Bucket: bucket}));
  const files = await filesUnder(dir);
  for (let i = 0; i < files.length; i += 16) {
    await Promise.all(
      files.slice(i, i + 16).map(async (file) => {
        const key = relative(dir, file).split(sep).join("/");
        await client.send(new PutObjectCommand({Bucket: bucket, Key: key, Body: await readFile(file)}));
      }),
    );
  }
  return files.length;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {withFileTypes: true, recursive: true});
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const {createS3Client} = await import("../data-loaders/sources/s3-client.js");
  const dir = resolve(process.argv[2] ?? join(fileURLToPath(import.meta.url), "../../sample/s3-sink"));
  const s3 = await startLocalS3({port: Number(process.env.PORT ?? 4566)});
  Object.assign(process.env, LOCAL_S3_CREDENTIALS);
  const client = createS3Client({bucket: "s3sink-3", prefix: "topics/", region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true});
  const count = await seedBucket(client, "s3sink-3", dir);
  console.log(`S3-compatible endpoint ${s3.endpoint}: bucket s3sink-3 holds ${count} objects from ${dir} (Ctrl-C to stop)`);
  process.once("SIGINT", () => void s3.stop().then(() => process.exit(0)));
}
