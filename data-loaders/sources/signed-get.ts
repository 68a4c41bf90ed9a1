// The sending half of a direct read (direct-get.ts): the planned GET signed with the SDK's SigV4
// signer and sent with node:http, the body taken only when it is the listed object, or a page of
// a listing (list-pages.ts) taken as text. Apart from the planning half, so that a command that
// never reads or lists directly does not load the signer and the TLS client.
import {createHash, createHmac, type BinaryLike, type Hash, type Hmac} from "node:crypto";
import http, {type IncomingMessage} from "node:http";
import https from "node:https";
import {SignatureV4} from "@smithy/signature-v4";
import type {DirectGet, DirectGetCredentials} from "./direct-get.js";

/** Sends planned GETs, signed with the credentials last given (the reader thread). */
export class SignedGets {
  private credentials: DirectGetCredentials | null = null;
  private readonly signers = new Map<string, SignatureV4>();
  private readonly agents = {http: new http.Agent({keepAlive: true}), https: new https.Agent({keepAlive: true})};

  /** Signs with these from now on (the same credentials again change nothing). */
  setCredentials(credentials: DirectGetCredentials): void {
    const now = this.credentials;
    if (now !== null && now.accessKeyId === credentials.accessKeyId && now.secretAccessKey === credentials.secretAccessKey && now.sessionToken === credentials.sessionToken) return;
    this.credentials = credentials;
    this.signers.clear();
  }

  /**
   * The object's bytes as stored, when S3 answers 200 with `etag` (the listing's); null for
   * anything else: the caller then reads it through the SDK. `allocate` gives the memory for a
   * body of known length.
   */
  get(plan: DirectGet, etag: string, allocate: (length: number) => Buffer = (length) => Buffer.allocUnsafeSlow(length)): Promise<Buffer | null> {
    return this.send<Buffer>(plan, (response, resolve) => {
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
    });
  }

  /** The answer's text when S3 answers 200 (a listing's page); null for anything else. */
  getText(plan: DirectGet): Promise<string | null> {
    return this.send<string>(plan, (response, resolve) => {
      if (response.statusCode !== 200) {
        response.resume();
        return resolve(null);
      }
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve(response.complete ? Buffer.concat(chunks).toString("utf8") : null));
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /**
   * The planned GET signed and sent, its answer handed to `take`; null with no credentials yet,
   * when the request or the answer fails, or as `take` resolves.
   */
  private async send<T>(plan: DirectGet, take: (response: IncomingMessage, resolve: (value: T | null) => void) => void): Promise<T | null> {
    const url = new URL(plan.url);
    const headers = await this.signedHeaders(plan, url);
    if (headers === null) return null;
    const secure = url.protocol === "https:";
    return new Promise<T | null>((resolve) => {
      const request = (secure ? https : http).get(url, {agent: secure ? this.agents.https : this.agents.http, headers}, (response) => {
        response.on("error", () => resolve(null));
        take(response, resolve);
      });
      request.on("error", () => resolve(null));
    });
  }

  /** The headers that sign a GET of `url` (its path and query as sent), or null with no credentials yet. */
  private async signedHeaders(plan: DirectGet, url: URL): Promise<Record<string, string> | null> {
    if (this.credentials === null) return null;
    const signed = await this.signer(plan).sign({
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === "" ? undefined : Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: {host: url.host},
    });
    return signed.headers;
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
