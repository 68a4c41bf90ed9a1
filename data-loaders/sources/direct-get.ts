// An object read by one signed HTTP GET, without the AWS SDK's work per request. The reader
// thread of a large sync reads a thousand objects per million events; through the SDK each read
// cost 0.5–1.1 ms of CPU (its middleware stack, endpoint parameters, the response's chunks and
// their garbage), this way 0.13–0.25 ms (docs/design-notes.md, "Ingest, sixth round"). Only the
// plain case is done here, and the SDK still decides everything that varies: the thread with the
// SDK's client plans each read (the URL from the SDK's endpoint rules, the signing name and region
// they give) and hands over the credentials its provider chain resolved (refreshed as the SDK
// refreshes them); the reader thread signs with the SDK's SigV4 signer and sends the request, with
// no SDK of its own loaded until a read needs it. Anything else (an answer that is not 200, an
// ETag that is not the listed one, a connection that fails, an endpoint that is not plain SigV4)
// gives null, and the caller reads the object through the SDK, which retries, explains the error
// and tells an object deleted since the listing. A listing's pages are read the same way
// (list-pages.ts). This module plans; signed-get.ts, loaded only where reads or listings are
// sent so (the reader thread, a sync's listing), signs and sends.
import type {S3Client} from "@aws-sdk/client-s3";

/** One object's GET: where, and how it is signed. Plain data, to hand to another thread. */
export interface DirectGet {
  url: string;
  signingName: string;
  signingRegion: string;
}

/** Credentials as the SDK's provider gives them. */
export interface DirectGetCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Plans each object's GET from an SDK client's configuration (the thread that has the client). */
export class DirectGetPlans {
  private readonly buckets = new Map<string, Promise<Omit<DirectGet, "url"> & {base: URL} | null>>();

  /** `endpoint`: the source's custom endpoint, if any (`source.endpoint`). */
  constructor(
    private readonly client: S3Client,
    private readonly endpoint: string | null,
  ) {}

  /** The object's GET, or null when the bucket's endpoint is not plain SigV4 (the SDK reads it then). */
  async plan(bucket: string, key: string): Promise<DirectGet | null> {
    const target = await this.target(bucket);
    if (target === null) return null;
    const url = new URL(target.base.href);
    url.pathname = `${url.pathname.replace(/\/$/, "")}/${escapeKey(key)}`;
    return {url: url.href, signingName: target.signingName, signingRegion: target.signingRegion};
  }

  /** A GET of the bucket itself with `query` (a listing's page), or null when the bucket's endpoint is not plain SigV4. */
  async planBucket(bucket: string, query: Readonly<Record<string, string>>): Promise<DirectGet | null> {
    const target = await this.target(bucket);
    if (target === null) return null;
    const url = new URL(target.base.href);
    url.search = Object.entries(query)
      .map(([name, value]) => `${escapeUriComponent(name)}=${escapeUriComponent(value)}`)
      .join("&");
    return {url: url.href, signingName: target.signingName, signingRegion: target.signingRegion};
  }

  /** The credentials the client signs with now: its provider caches and refreshes them. */
  async credentials(): Promise<DirectGetCredentials> {
    const {accessKeyId, secretAccessKey, sessionToken} = await this.client.config.credentials();
    return sessionToken ? {accessKeyId, secretAccessKey, sessionToken} : {accessKeyId, secretAccessKey};
  }

  private target(bucket: string) {
    let resolved = this.buckets.get(bucket);
    if (!resolved) {
      resolved = this.resolve(bucket).catch(() => null);
      this.buckets.set(bucket, resolved);
    }
    return resolved;
  }

  private async resolve(bucket: string) {
    const config = this.client.config;
    const region = await config.region();
    const resolved = config.endpointProvider({
      Bucket: bucket,
      Region: region,
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
      ForcePathStyle: config.forcePathStyle,
      ...(this.endpoint ? {Endpoint: this.endpoint} : {}),
    });
    // Plain SigV4 only (not SigV4a's multi-region access points, not S3 Express's sessions).
    const schemes = (resolved.properties?.authSchemes ?? []) as {name?: string; signingName?: string; signingRegion?: string}[];
    if (schemes.length !== 1 || schemes[0].name !== "sigv4") return null;
    return {base: new URL(resolved.url.href), signingName: schemes[0].signingName ?? "s3", signingRegion: schemes[0].signingRegion ?? region};
  }
}

/** The key in a URL path as the SDK writes it: each segment escaped, the slashes kept. */
function escapeKey(key: string): string {
  return key.split("/").map(escapeUriComponent).join("/");
}

/** Escaped as SigV4 escapes a path segment or a query's name and value: all but A–Z a–z 0–9 - _ . ~ (so `!'()*` too). */
function escapeUriComponent(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
