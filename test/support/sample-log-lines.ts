// Real access-log lines for tests of local log files: the messages of the bundled S3 sink
// sample (sample/s3-sink), in key order, as the web servers wrote them before CloudWatch.
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {gunzipSync} from "node:zlib";
import {decodeSinkRecord} from "../../data-loaders/records/cloudwatch.js";
import {PROJECT_DIR} from "./sample-site.js";

/** Every log line the sample's value objects carry (records that do not decode are left out). */
export function sampleLogLines(): string[] {
  const dir = join(PROJECT_DIR, "sample/s3-sink");
  const files = readdirSync(dir, {recursive: true, encoding: "utf8"}).filter((f) => /\.json(\.gz)?$/.test(f)).sort();
  const lines: string[] = [];
  for (const file of files) {
    const bytes = readFileSync(join(dir, file));
    const text = (file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
    for (const json of text.split("\n")) {
      if (json.trim() === "") continue;
      const record = decodeSinkRecord(json);
      if (!("error" in record) && record.message.trim() !== "") lines.push(record.message);
    }
  }
  return lines;
}

/**
 * Whether a line is a whole Combined Log Format line, decided as scripts/make-sample.ts decides
 * which of its lines must be rejected: independently of the parser under test.
 */
export function isWellFormedCombined(line: string): boolean {
  return /^\S+ \S+ \S+ \[[^\]]+\] "(?:[^"\\]|\\.)*" \d{3} (?:\d+|-) "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*"$/.test(line);
}
