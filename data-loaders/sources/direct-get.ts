// An object read by one signed HTTP GET, without the AWS SDK's work per request. The reader
// thread of a large sync reads a thousand objects per million events; through the SDK each read
// cost 0.5–1.1 ms of CPU (its middleware stack, endpoint parameters, the response's chunks and
// their garbage), this way 0.13–0.25 ms (docs/design-notes.md, "Ingest, sixth round"). Only the
// plain case is done here, and the SDK still decides everything that varies: the URL comes from
// its endpoint rules, the credentials from its provider chain (refreshed as it refreshes them),
// and the request is signed by its SigV4 signer. Anything else (an answer that is not 200, an
// ETag that is not the listed one, a connection that fails, an endpoint that is not plain SigV4)
// gives null, and the caller reads the object through the SDK, which retries, explains the error
// and tells an object deleted since the listing.
import {createHash, createHmac, type BinaryLike, type Hash, type Hmac} from "node:crypto";
import http from "node:http";
import https from "node:https";
import type {S3Client} from "@aws-sdk/client-s3";
import {SignatureV4} from "@smithy/signature-v4";

/** What the direct reads need of the source: its custom endpoint, if any (`source.endpoint`). */
export interface DirectGetSource {
  endpoint: string | null;
}

/** The URL of an object: the bucket's endpoint (the SDK's rules) and the key, escaped as the SDK escapes it. */
interface BucketEndpoint {
  base: URL;
  signer: SignatureV4;
}

export class DirectGets {
  private readonly endpoints = new Map<string, Promise<BucketEndpoint | null>>();
  private readonly agents = {http: new http.Agent({keepAlive: true}), https: new https.Agent({keepAlive: true})};

  constructor(
    private readonly client: S3Client,
    private readonly source: DirectGetSource,
  ) {}

  /**
   * The object's bytes as stored, when S3 answers 200 with `etag` (the listing's); null for
   * anything else: the caller then reads it through the SDK. `allocate` gives the memory for a
   * body of known length.
   */
  async get(bucket: string, key: string, etag: string, allocate: (length: number) => Buffer = (length) => Buffer.allocUnsafeSlow(length)): Promise<Buffer | null> {
    const endpoint = await this.endpointOf(bucket);
    if (endpoint === null) return null;
    const url = new URL(endpoint.base.href);
    url.pathname = `${url.pathname.replace(/\/$/, "")}/${escapeKey(key)}`;
    const signed = await endpoint.signer.sign({
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === "" ? undefined : Number(url.port),
      path: url.pathname,
      query: {},
      headers: {host: url.host},
    });
    return new Promise<Buffer | null>((resolve) => {
      const request = (url.protocol === "https:" ? https : http).get(url, {agent: url.protocol === "https:" ? this.agents.https : this.agents.http, headers: signed.headers}, (response) => {
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

  private endpointOf(bucket: string): Promise<BucketEndpoint | null> {
    let endpoint = this.endpoints.get(bucket);
    if (!endpoint) {
      endpoint = this.resolveEndpoint(bucket).catch(() => null);
      this.endpoints.set(bucket, endpoint);
    }
    return endpoint;
  }

  private async resolveEndpoint(bucket: string): Promise<BucketEndpoint | null> {
    const config = this.client.config;
    const region = await config.region();
    const resolved = config.endpointProvider({
      Bucket: bucket,
      Region: region,
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
      ForcePathStyle: config.forcePathStyle,
      ...(this.source.endpoint ? {Endpoint: this.source.endpoint} : {}),
    });
    // Plain SigV4 only (not SigV4a's multi-region access points, not S3 Express's sessions).
    const schemes = (resolved.properties?.authSchemes ?? []) as {name?: string; signingName?: string; signingRegion?: string}[];
    if (schemes.length !== 1 || schemes[0].name !== "sigv4") return null;
    const signer = new SignatureV4({
      service: schemes[0].signingName ?? "s3",
      region: schemes[0].signingRegion ?? region,
      // The provider the SDK made from its chain: it caches and refreshes the credentials.
      credentials: config.credentials,
      sha256: NodeSha256,
      // S3 signs the path as sent, escaped once.
      uriEscapePath: false,
    });
    return {base: new URL(resolved.url.href), signer};
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
