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
// and tells an object deleted since the listing.
import {createHash, createHmac, type BinaryLike, type Hash, type Hmac} from "node:crypto";
import http from "node:http";
import https from "node:https";
import type {S3Client} from "@aws-sdk/client-s3";
import {SignatureV4} from "@smithy/signature-v4";

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
    let resolved = this.buckets.get(bucket);
    if (!resolved) {
      resolved = this.resolve(bucket).catch(() => null);
      this.buckets.set(bucket, resolved);
    }
    const target = await resolved;
    if (target === null) return null;
    const url = new URL(target.base.href);
    url.pathname = `${url.pathname.replace(/\/$/, "")}/${escapeKey(key)}`;
    return {url: url.href, signingName: target.signingName, signingRegion: target.signingRegion};
  }

  /** The credentials the client signs with now: its provider caches and refreshes them. */
  async credentials(): Promise<DirectGetCredentials> {
    const {accessKeyId, secretAccessKey, sessionToken} = await this.client.config.credentials();
    return sessionToken ? {accessKeyId, secretAccessKey, sessionToken} : {accessKeyId, secretAccessKey};
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

/** Sends planned GETs, signed with the credentials last given (the reader thread). */
export class SignedGets {
  private credentials: DirectGetCredentials | null = null;
  private readonly signers = new Map<string, SignatureV4>();
  private readonly agents = {http: new http.Agent({keepAlive: true}), https: new https.Agent({keepAlive: true})};

  setCredentials(credentials: DirectGetCredentials): void {
    this.credentials = credentials;
    this.signers.clear();
  }

  /**
   * The object's bytes as stored, when S3 answers 200 with `etag` (the listing's); null for
   * anything else: the caller then reads it through the SDK. `allocate` gives the memory for a
   * body of known length.
   */
  async get(plan: DirectGet, etag: string, allocate: (length: number) => Buffer = (length) => Buffer.allocUnsafeSlow(length)): Promise<Buffer | null> {
    if (this.credentials === null) return null;
    const url = new URL(plan.url);
    const signed = await this.signer(plan).sign({
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === "" ? undefined : Number(url.port),
      path: url.pathname,
      query: {},
      headers: {host: url.host},
    });
    const secure = url.protocol === "https:";
    return new Promise<Buffer | null>((resolve) => {
      const request = (secure ? https : http).get(url, {agent: secure ? this.agents.https : this.agents.http, headers: signed.headers}, (response) => {
        const sameObject = response.statusCode === 200 && unquoted(response.headers.etag) === unquoted(etag);
        if (!sameObject) {
          // Drained, so that the connection is kept for the next read.
          response.resume();
          return resolve(null);
        }
        // Into one buffer of the announced length: collecting the chunks and joining them doubled
        // the memory each read churns through, and the reader thread's collections with it. A
        // body longer or shorter than announced is odd enough to leave to the SDK.
        const announced = Number(response.headers["content-length"]);
        const known = Number.isSafeInteger(announced) && announced >= 0;
        const bytes = allocate(known ? announced : 0);
        const chunks: Buffer[] = [];
        let received = 0;
        response.on("data", (chunk: Buffer) => {
          if (!known) chunks.push(chunk);
          else if (received + chunk.length <= bytes.length) chunk.copy(bytes, received);
          received += chunk.length;
        });
        response.on("end", () => {
          if (!response.complete) resolve(null);
          else if (!known) resolve(Buffer.concat(chunks));
          else resolve(received === bytes.length ? bytes : null);
        });
        response.on("error", () => resolve(null));
      });
      request.on("error", () => resolve(null));
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private signer(plan: DirectGet): SignatureV4 {
    const name = `${plan.signingName} ${plan.signingRegion}`;
    let signer = this.signers.get(name);
    if (!signer) {
      // S3 signs the path as sent, escaped once.
      signer = new SignatureV4({service: plan.signingName, region: plan.signingRegion, credentials: this.credentials!, sha256: NodeSha256, uriEscapePath: false});
      this.signers.set(name, signer);
    }
    return signer;
  }
}

/** The key in a URL path as the SDK writes it: each segment escaped, `!'()*` too, the slashes kept. */
function escapeKey(key: string): string {
  return key
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join("/");
}

function unquoted(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, "");
}

/** What the signer hands the hash. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

/** SHA-256 and HMAC-SHA256 from Node's crypto, in the shape the SigV4 signer asks for. */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytesOf(secret));
  }

  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytesOf(data: SourceData): BinaryLike {
  if (typeof data === "string") return data;
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
