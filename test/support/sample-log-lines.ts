// Real access-log lines for tests of local log files: the messages of the bundled S3 sink
// sample (sample/s3-sink), in key order, as the web servers wrote them before CloudWatch.
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {gunzipSync} from "node:zlib";
import {decodeSinkRecord} from "../../data-loaders/records/cloudwatch.js";
import {PROJECT_DIR} from "./sample-site.js";

/**
 * Every log line the sample's Combined instances' value objects carry (records that do not decode
 * are left out); the instances of other formats (expected.json lists theirs) are not Combined.
 */
export function sampleLogLines(): string[] {
  const dir = join(PROJECT_DIR, "sample/s3-sink");
  const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8")) as {instances: {log_group: string; log_stream: string; format?: string}[]};
  const combined = expected.instances.filter((i) => i.format === undefined).map((i) => `topics/${i.log_group}.${i.log_stream}/`);
  const files = readdirSync(dir, {recursive: true, encoding: "utf8"})
    .filter((f) => /\.json(\.gz)?$/.test(f) && combined.some((topic) => f.startsWith(topic)))
    .sort();
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
