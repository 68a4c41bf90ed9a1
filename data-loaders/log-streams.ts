// The log streams (EC2 instances) in the local store, for the site's per-instance pages: read
// by observablehq.config.ts when Framework builds, so each instance gets a page and a sidebar entry.
// A stream's name becomes the page's path (/instances/<name>), and stream names are whatever the
// CloudWatch agent was told (up to 512 characters, anything but : and *): only names that are safe
// as a path segment and a file name get a page; the others are named in a warning at build, and
// their requests still count on every other page.
import {join} from "node:path";
import type {WeblogConfig} from "./config.js";
import {sharedManifest, segmentsOfKind} from "./store/manifest.js";
import {sqlFileList, withDuckDB} from "./write/duckdb.js";

/**
 * A stream name usable as a page path as it is: EC2 instance ids (i-02e3ca004943e0f26), host names
 * and IP addresses (the agent's {hostname}, {ip_address}), and most names people choose. No dot
 * first (a hidden file, "..") and no more than 128 characters (file names stop at 255 bytes).
 */
export const PAGE_SAFE_STREAM_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export async function storedLogStreams(config: WeblogConfig): Promise<string[]> {
  const files = segmentsOfKind(await sharedManifest(config.store), "events").map((s) => join(config.store, s.file));
  if (files.length === 0) return [];
  const reader = await withDuckDB({}, (duckdb) => duckdb.runAndReadAll(`SELECT DISTINCT log_stream FROM read_parquet(${sqlFileList(files)}) WHERE log_stream IS NOT NULL ORDER BY 1`));
  return reader.getRows().map(([stream]) => String(stream));
}

export interface InstancePages {
  /** Streams that get a page at /instances/<name>. */
  withPage: string[];
  /** Streams whose names cannot be a path: no page. */
  withoutPage: string[];
  /** A line saying which streams have no page and why, or null when all have one. */
  warning: string | null;
}

export function instancePages(streams: readonly string[]): InstancePages {
  const withPage = streams.filter((s) => PAGE_SAFE_STREAM_NAME.test(s));
  const withoutPage = streams.filter((s) => !PAGE_SAFE_STREAM_NAME.test(s));
  const shown = withoutPage.slice(0, 5).map(printableName).join(", ");
  const warning =
    withoutPage.length === 0
      ? null
      : `weblog: ${withoutPage.length} log stream${withoutPage.length === 1 ? "" : "s"} ha${withoutPage.length === 1 ? "s" : "ve"} no instance page, ` +
        `the name being unsafe as a page path (letters, digits, . _ - only, up to 128): ${shown}${withoutPage.length > 5 ? ", …" : ""}. ` +
        "Their requests count on every other page.";
  return {withPage, withoutPage, warning};
}

/** A name from the logs, quoted, cut short and with anything unprintable escaped, fit for a terminal. */
function printableName(name: string): string {
  const cut = name.length > 60 ? name.slice(0, 60) + "…" : name;
  return `"${cut.replace(/[^\x20-\x7e…]|["\\]/g, (c) => (c === '"' || c === "\\" ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`))}"`;
}
