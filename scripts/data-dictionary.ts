// Writes docs/data-dictionary.md from the column lists in data-loaders/event.ts, so the
// documented columns are the written ones. `npm run docs` runs it; a test checks it is current.
import {writeFileSync} from "node:fs";
import {resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {EVENT_COLUMNS, REJECTED_COLUMNS, type ColumnSpec} from "../data-loaders/event.js";

export function dataDictionaryMarkdown(): string {
  return `# Data dictionary

The site's tables, as the pages query them in DuckDB-WASM (\`SELECT … FROM events\`) and as
\`npx weblog parse\` prints them (one JSON object per line, same names, timestamps as ISO 8601 UTC
strings). Generated from \`data-loaders/event.ts\` by \`npm run docs\`; do not edit by hand.

Timestamps are UTC. What identifies an event depends on the source format (docs/configuration.md):
- \`s3-sink\` (Confluent S3 sink, the default): \`(topic, kafka_partition, kafka_offset)\`; the store
  never holds two rows with the same triple. \`event_id\` is null.
- \`firehose\` (subscription filter → Kinesis Data Firehose): \`event_id\`, CloudWatch's own id; the
  store never holds two rows with the same id. \`topic\`, \`kafka_partition\` and \`kafka_offset\` are null.
- \`export-task\` (CloudWatch Logs export task): \`(s3_key, line)\` of an immutable export object;
  \`topic\`, \`kafka_partition\`, \`kafka_offset\` and \`event_id\` are null, and \`log_group\` is the
  configured \`logGroup\` (an export's keys do not name it) or null.
- \`weblog report\` (local files): \`(s3_key, line_number)\`, where \`s3_key\` names the file by its
  first bytes, so a rotated file keeps its identity.

The store holds every identity its source holds exactly once, in \`events\` or \`rejected\`. A
record the S3 sink writes twice is counted once; an event the CloudWatch Logs source re-emits after
its own restart gets a new offset and cannot be told apart from a new one (on the firehose path the
event id tells it apart).

Two clocks, two columns: \`ts\` is the time the web server wrote in the line, \`ingest_ts\` the
time CloudWatch took the line in. \`ts\` never borrows \`ingest_ts\`: with a log format that has
no date (no \`%t\`, no dated \`%{…}t\`), \`ts\` is null on every row, the rows are stored under the
day \`undated\`, and the pages count them in totals but leave them out of time charts and of a date range picked in the filters; ask \`ingest_ts\` (seconds to
minutes after the request) for their time.

## events

One row per access-log line that parsed.

${table(EVENT_COLUMNS)}
## rejected

One row per line that did not parse, kept so nothing is lost silently. The Data quality page
shows them.

${table(REJECTED_COLUMNS)}`;
}

function table(columns: readonly ColumnSpec[]): string {
  const rows = columns.map((c) => `| \`${c.name}\` | ${c.type} | ${c.description} |`);
  return ["| column | type | meaning |", "|---|---|---|", ...rows, ""].join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const path = resolve(fileURLToPath(import.meta.url), "../../docs/data-dictionary.md");
  writeFileSync(path, dataDictionaryMarkdown());
  console.log(`wrote ${path}`);
}
