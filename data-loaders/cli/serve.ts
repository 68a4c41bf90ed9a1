// `weblog serve [DIR]`: serves a report (or any built site) on loopback, with the HTTP range
// requests the pages' DuckDB-WASM reads Parquet by; a site opened as files cannot do that.
import {existsSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {ReportError} from "../report/report-site.js";
import {serveSite} from "../serve-site.js";
import {DEFAULT_REPORT_FOLDER} from "./report.js";
import {positiveInteger} from "./sync.js";
import {UsageError} from "./usage-error.js";

export async function runServe(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({args, options: {port: {type: "string"}, host: {type: "string"}}, strict: true, allowPositionals: true});
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const {values, positionals} = parsed;
  if (positionals.length > 1) throw new UsageError(`serve takes one folder, found ${positionals.length}`);
  const root = positionals[0] ?? DEFAULT_REPORT_FOLDER;
  if (!existsSync(join(root, "index.html"))) throw new ReportError(`${root} holds no built site (no index.html): make one with \`npx weblog report <files or folders>\``);
  const port = positiveInteger(values.port, "--port") ?? 3000;
  const site = await serveSite(root, {port, host: values.host ?? "127.0.0.1"});
  console.log(`Serving ${root} at ${site.url}   (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await site.close();
  return 0;
}
