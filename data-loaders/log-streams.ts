// The log streams (EC2 instances) in the local store, for the site's per-instance pages: read
// by observablehq.config.ts when Framework builds, so each instance gets a page and a sidebar entry.
import {join} from "node:path";
import type {WeblogConfig} from "./config.js";
import {readManifest, segmentsOfKind} from "./store/manifest.js";
import {sqlFileList, withDuckDB} from "./write/duckdb.js";

export async function storedLogStreams(config: WeblogConfig): Promise<string[]> {
  const files = segmentsOfKind(await readManifest(config.store), "events").map((s) => join(config.store, s.file));
  if (files.length === 0) return [];
  const reader = await withDuckDB({}, (duckdb) => duckdb.runAndReadAll(`SELECT DISTINCT log_stream FROM read_parquet(${sqlFileList(files)}) WHERE log_stream IS NOT NULL ORDER BY 1`));
  return reader.getRows().map(([stream]) => String(stream));
}
