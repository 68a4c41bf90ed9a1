// Listing and reading the S3 sink's objects, with errors a user can act on.
import {GetObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import type {ListedObject} from "./list-page.js";
import type {ListPages} from "./list-pages.js";
import {sinkObjectBody, type SinkObjectBody} from "./object-body.js";
import {parseSinkObjectKey, type Compression, type SinkKeyFileKey, type SinkObjectKey, type SkippedKey} from "./sink-object-key.js";

/** A listed object and what its name says. */
export interface ListedSinkObject extends ListedObject {
  sink: SinkObjectKey | SinkKeyFileKey | SkippedKey;
}

/**
 * Every object under `where.prefix`, page by page (S3 answers at most 1,000 keys a page). Keys
 * are read as S3 sink names relative to `sinkPrefix`, the configured prefix (where.prefix may be
 * a folder below it).
 */
export async function* listSinkObjects(listPage: ListPages, where: {bucket: string; prefix: string}, sinkPrefix = where.prefix): AsyncGenerator<ListedSinkObject> {
  let token: string | undefined;
  do {
    const page = await listPage({bucket: where.bucket, prefix: where.prefix, continuationToken: token});
    for (const object of page.objects) yield toListedSinkObject(object, sinkPrefix);
    token = page.nextToken ?? undefined;
  } while (token);
}

/** A listed object with what its name says, read relative to the configured prefix. */
export function toListedSinkObject(object: ListedObject, sinkPrefix: string): ListedSinkObject {
  return {...object, sink: parseSinkObjectKey(object.key, sinkPrefix)};
}

/**
 * The object's bytes, gunzipped when they are gzip (object-body.ts).
 */
export async function readSinkObject(client: S3Client, bucket: string, key: string, _compression: Compression): Promise<SinkObjectBody> {
  const bytes = await withS3Errors(`reading s3://${bucket}/${key}`, client, async () => {
    const response = await client.send(new GetObjectCommand({Bucket: bucket, Key: key}));
    if (!response.Body) return Buffer.alloc(0);
    // A Buffer over the SDK's own bytes, not a copy of them (a copy cost 0.2 ms an object).
    const body = await response.Body.transformToByteArray();
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  });
  return sinkObjectBody(bytes);
}

/** True for the error S3 gives when a listed object was deleted before it could be read. */
export function isVanishedObject(error: unknown): boolean {
  const cause = (error as {cause?: {name?: string; $metadata?: {httpStatusCode?: number}}}).cause;
  return cause?.name === "NoSuchKey" || cause?.$metadata?.httpStatusCode === 404;
}

/** Thrown for S3 failures, with what was being done and what to check. */
export class S3AccessError extends Error {
  override name = "S3AccessError";
}

/** What the workbook asks of a bucket it reads; `weblog publish` names what it needs to write. */
const READ_PERMISSIONS = "list or read this bucket (s3:ListBucket, s3:GetObject)";

export async function withS3Errors<T>(doing: string, client: S3Client, call: () => Promise<T>, permissions: string = READ_PERMISSIONS): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new S3AccessError(`${doing}: ${await explain(error, client, permissions)}`, {cause: error});
  }
}

async function explain(error: unknown, client: S3Client, permissions: string): Promise<string> {
  const e = error as {name?: string; Code?: string; code?: string; message?: string; $metadata?: {httpStatusCode?: number}};
  const name = e.name ?? e.Code ?? "";
  const status = e.$metadata?.httpStatusCode;
  const endpoint = await endpointOf(client);
  if (name === "NoSuchBucket") return `the bucket does not exist at ${endpoint} (check "bucket" and "region" in the configuration)`;
  if (name === "AccessDenied" || name === "Forbidden" || status === 403) {
    return `access denied: the credentials the AWS SDK found (environment, profile or instance role) may not ${permissions}`;
  }
  if (name === "NoSuchKey" || status === 404) return "not found (was it removed while syncing?)";
  if (name === "InvalidAccessKeyId" || name === "SignatureDoesNotMatch") return "the credentials were refused (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile)";
  if (name === "CredentialsProviderError") return "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run on an instance with a role";
  const code = e.code ?? (e as {cause?: {code?: string}}).cause?.code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ETIMEDOUT" || code === "ECONNRESET") return `cannot reach ${endpoint} (${code})`;
  return `${name || "error"}${status ? ` (HTTP ${status})` : ""}: ${e.message ?? String(error)}`;
}

async function endpointOf(client: S3Client): Promise<string> {
  try {
    const endpoint = await client.config.endpoint?.();
    if (endpoint) return `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ""}`;
  } catch {
    // No custom endpoint: AWS itself.
  }
  return `AWS S3 (${await client.config.region()})`;
}
