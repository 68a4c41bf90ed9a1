// A stand-in for MaxMind's download endpoint on 127.0.0.1: serves .tar.gz archives built here from
// MaxMind's own test databases and their .sha256 files, checks license_key, and redirects archive
// downloads to a second path the way download.maxmind.com redirects to its storage host.
import {createHash} from "node:crypto";
import {readFileSync} from "node:fs";
import {createServer, type IncomingMessage, type ServerResponse} from "node:http";
import type {AddressInfo} from "node:net";
import {join} from "node:path";
import {gzipSync} from "node:zlib";
import {MAXMIND_TEST_DIR} from "../fixtures.js";

export const TEST_DATA = MAXMIND_TEST_DIR;
export const CITY_TEST_DB = join(TEST_DATA, "GeoLite2-City-Test.mmdb");
export const ASN_TEST_DB = join(TEST_DATA, "GeoLite2-ASN-Test.mmdb");

/** Shaped like a real key (MaxMind's are 40 characters), so a leak is easy to spot. */
export const LICENSE_KEY = "TestKey_9f86d081884c7d659a2feaa0c55ad015a3bf4f1b".slice(0, 40);

export interface TarMember {
  name: string;
  data?: Buffer;
  type?: "file" | "directory";
}

/** A ustar archive as GNU tar writes one: 512-byte headers, data padded to 512, two zero blocks. */
export function ustar(members: TarMember[]): Buffer {
  const blocks: Buffer[] = [];
  for (const member of members) {
    const data = member.type === "directory" ? Buffer.alloc(0) : member.data ?? Buffer.alloc(0);
    const header = Buffer.alloc(512);
    header.write(member.name, 0, 100, "utf8");
    header.write(member.type === "directory" ? "0000755\0" : "0000644\0", 100, "latin1");
    header.write("0001750\0", 108, "latin1");
    header.write("0001750\0", 116, "latin1");
    header.write(data.length.toString(8).padStart(11, "0") + "\0", 124, "latin1");
    header.write(Math.floor(Date.UTC(2026, 1, 4) / 1000).toString(8).padStart(11, "0") + "\0", 136, "latin1");
    header.write("        ", 148, "latin1");
    header.write(member.type === "directory" ? "5" : "0", 156, "latin1");
    header.write("ustar\0", 257, "latin1");
    header.write("00", 263, "latin1");
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** What MaxMind ships for an edition: a dated directory with the database and its licence files. */
export function maxmindArchive(edition: string, database: Buffer, release = "20260204"): Buffer {
  const dir = `${edition}_${release}`;
  return gzipSync(
    ustar([
      {name: `${dir}/`, type: "directory"},
      {name: `${dir}/COPYRIGHT.txt`, data: Buffer.from("Database and Contents Copyright (c) 2026 MaxMind, Inc.\n")},
      {name: `${dir}/LICENSE.txt`, data: Buffer.from("Use of this MaxMind product is governed by MaxMind's GeoLite2 End User License Agreement.\n")},
      {name: `${dir}/README.txt`, data: Buffer.from("Latest release notes\n")},
      {name: `${dir}/${edition}.mmdb`, data: database},
    ]),
  );
}

export interface Served {
  archive: Buffer;
  /** The body of the .sha256 file. */
  checksum: string;
}

export function served(edition: string, archive: Buffer, release = "20260204"): Served {
  return {archive, checksum: `${createHash("sha256").update(archive).digest("hex")}  ${edition}_${release}.tar.gz\n`};
}

export interface PlannedResponse {
  status: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export interface FakeMaxMind {
  /** The value for WEBLOG_GEOIP_DOWNLOAD_URL. */
  url: string;
  /** Every request, query included (key and all: the server is allowed to see it). */
  requests: URL[];
  editions: Map<string, Served>;
  /** Answer a request differently; return undefined to serve normally. */
  override: ((url: URL) => PlannedResponse | "hang" | undefined) | null;
  lastModified: string;
  close(): Promise<void>;
}

export async function startFakeMaxMind(): Promise<FakeMaxMind> {
  const editions = new Map<string, Served>([
    ["GeoLite2-City", served("GeoLite2-City", maxmindArchive("GeoLite2-City", readFileSync(CITY_TEST_DB)))],
    ["GeoLite2-ASN", served("GeoLite2-ASN", maxmindArchive("GeoLite2-ASN", readFileSync(ASN_TEST_DB)))],
  ]);
  const fake: FakeMaxMind = {
    url: "",
    requests: [],
    editions,
    override: null,
    lastModified: "Tue, 03 Feb 2026 17:05:12 GMT",
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
  let storageUrl = "";
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    fake.requests.push(url);
    const planned = fake.override?.(url);
    if (planned === "hang") return; // headers never come
    if (planned !== undefined) return send(response, planned);
    if (url.pathname.startsWith("/storage/")) {
      const files = editions.get(url.pathname.slice("/storage/".length));
      if (files === undefined) return send(response, {status: 404, body: "NoSuchKey"});
      return send(response, {status: 200, body: files.archive, headers: {"content-type": "application/gzip", "last-modified": fake.lastModified}});
    }
    if (url.pathname !== "/app/geoip_download") return send(response, {status: 404, body: "not found"});
    if (url.searchParams.get("license_key") !== LICENSE_KEY) return send(response, {status: 401, body: "Invalid license key\n"});
    const files = editions.get(url.searchParams.get("edition_id") ?? "");
    if (files === undefined) return send(response, {status: 400, body: "Invalid product ID or subscription expired\n"});
    const suffix = url.searchParams.get("suffix");
    if (suffix === "tar.gz.sha256") return send(response, {status: 200, body: files.checksum, headers: {"content-type": "text/plain"}});
    // Absolute, to 127.0.0.1: a client that came in as localhost is sent to another host, as MaxMind's are.
    if (suffix === "tar.gz") return send(response, {status: 302, headers: {location: `${storageUrl}/storage/${url.searchParams.get("edition_id")}`}});
    return send(response, {status: 400, body: "Invalid suffix\n"});
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  storageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = `${storageUrl}/app/geoip_download`;
  return fake;
}

function send(response: ServerResponse, planned: PlannedResponse): void {
  response.writeHead(planned.status, planned.headers);
  response.end(planned.body);
}
