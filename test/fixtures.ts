// The test material kept in test/fixtures/ (each folder's README.md gives origins and licences),
// found from this file's place so tests, benchmarks and scripts read it from any working directory.
import {readFileSync} from "node:fs";
import {fileURLToPath} from "node:url";
import {gunzipSync} from "node:zlib";

/** 10,000 real Combined lines (elastic/examples, May 2015), gzipped: 2.3 MB as text. */
export const REAL_LOG = "real-logs/elastic-examples-apache_logs.gz";
/** MaxMind's test databases and the source records they were built from. */
export const MAXMIND_TEST_DIR = fixturePath("maxmind-test");

/** The absolute path of a file (or folder) under test/fixtures/. */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`fixtures/${relative}`, import.meta.url));
}

/** A fixture's text; a `.gz` file is unpacked. */
export function fixtureText(relative: string): string {
  const bytes = readFileSync(fixturePath(relative));
  return (relative.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
}

/** The non-empty lines of a fixture; a `.gz` file is unpacked. */
export function fixtureLines(relative: string): string[] {
  return fixtureText(relative).split("\n").filter((line) => line !== "");
}
