// Serves the built site (dist/) on loopback, with the HTTP range requests DuckDB-WASM uses to
// read only the Parquet row groups a query needs. Small on purpose: a static file server.
// `weblog serve` (a report), the demo and the tests use it.
import {createReadStream} from "node:fs";
import {stat} from "node:fs/promises";
import {createServer, type Server} from "node:http";
import {extname, join, normalize, resolve, sep} from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".parquet": "application/vnd.apache.parquet",
  ".csv": "text/csv; charset=utf-8",
};

export interface SiteServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function serveSite(root: string, {port = 0, host = "127.0.0.1"} = {}): Promise<SiteServer> {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    try {
      if (request.method !== "GET" && request.method !== "HEAD") return void response.writeHead(405, {allow: "GET, HEAD"}).end();
      const file = await findFile(base, new URL(request.url ?? "/", "http://localhost").pathname);
      if (!file) return void response.writeHead(404, {"content-type": "text/plain"}).end("not found");
      const headers: Record<string, string | number> = {
        "content-type": CONTENT_TYPES[extname(file.path)] ?? "application/octet-stream",
        "accept-ranges": "bytes",
        "cache-control": "no-cache",
      };
      const range = parseRange(request.headers.range, file.size);
      if (range === "unsatisfiable") return void response.writeHead(416, {"content-range": `bytes */${file.size}`}).end();
      if (range) {
        headers["content-range"] = `bytes ${range.start}-${range.end}/${file.size}`;
        headers["content-length"] = range.end - range.start + 1;
        response.writeHead(206, headers);
      } else {
        headers["content-length"] = file.size;
        response.writeHead(200, headers);
      }
      if (request.method === "HEAD" || file.size === 0) return void response.end();
      createReadStream(file.path, range ?? {}).pipe(response);
    } catch (error) {
      response.writeHead(500, {"content-type": "text/plain"}).end(String(error));
    }
  });
  await new Promise<void>((done, fail) => server.once("error", fail).listen(port, host, done));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the site server has no TCP address");
  return {
    url: `http://${host}:${address.port}/`,
    server,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Maps a URL path to a file under root: `/` → index.html, `/traffic` → traffic.html. */
async function findFile(root: string, pathname: string): Promise<{path: string; size: number} | null> {
  const decoded = decodeURIComponent(pathname);
  const path = normalize(join(root, decoded));
  if (path !== root && !path.startsWith(root + sep)) return null;
  for (const candidate of [path, join(path, "index.html"), `${path}.html`]) {
    const info = await stat(candidate).catch(() => null);
    if (info?.isFile()) return {path: candidate, size: info.size};
  }
  return null;
}

function parseRange(header: string | undefined, size: number): {start: number; end: number} | "unsatisfiable" | null {
  const match = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!match) return null;
  const [, from, to] = match;
  let start: number;
  let end: number;
  if (from === "") {
    if (to === "") return null;
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to === "" ? size - 1 : Math.min(Number(to), size - 1);
  }
  return start > end || start >= size ? "unsatisfiable" : {start, end};
}
