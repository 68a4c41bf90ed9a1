// Builds sample/firehose/ and sample/export-task/: the same CloudWatch events as the S3 sink
// sample, as the two other ways they reach S3 write them (docs/design-notes.md, What the connectors write):
//   - a subscription filter → Kinesis Data Firehose: gzip objects with no suffix under
//     YYYY/MM/dd/HH/, each the concatenated JSON documents of a 900 s buffer, a CONTROL_MESSAGE
//     first, and one object delivered twice (a Firehose retry writes the same documents into
//     a new object);
//   - a CloudWatch Logs export task: exportedlogs/<task id>/<log stream>/000000.gz, 000001.gz…,
//     lines `<ISO-8601 UTC timestamp> <message>`, and the aws-logs-write-test object.
// The lines are scripts/make-sample.ts's: three in five of the real log (test/fixtures/real-logs,
// May 2015) moved to 14–17 May 2023 in the servers' +0530 zone, on three instances by client; plus
// one hand-made line that does not parse. sample/expected-sources.json holds the counts a
// correct sync must give, computed here from the lines written, not by the pipeline.
//
// Deterministic: running it twice gives the same bytes. `npx tsx scripts/make-sample-sources.ts`
import {mkdirSync, rmSync, writeFileSync} from "node:fs";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {gzipSync} from "node:zlib";
import {fixtureLines, REAL_LOG} from "../test/fixtures.js";
import {retime} from "./sample-lines.js";

const projectDir = resolve(fileURLToPath(import.meta.url), "../..");
const SAMPLE_DIR = join(projectDir, "sample");

const LOG_GROUP = "cloudwatchLogsEC2";
const INSTANCES = ["i-02e3ca004943e0f26", "i-0b7d5c1e9a4f3e812", "i-05f1a9c3d7e2b6480"] as const;
const OWNER = "111111111111";
const SUBSCRIPTION_FILTER = "weblog-to-firehose";
const DELIVERY_STREAM = "weblog-cloudwatch";
/** Firehose's longest buffer interval: one object per 900 s that saw events. */
const BUFFER_MS = 900_000;
/** Lines per export part (CloudWatch cuts parts by size; smaller here so a stream has several). */
const EXPORT_PART_LINES = 600;
const EXPORT_TASK_ID = "0c5f3ad2-9e1b-4c77-8d2a-6f1e0b9a4c31";

interface LogEvent {
  instance: string;
  /** CloudWatch's timestamp: a moment after Apache wrote the line. */
  timestamp: number;
  message: string;
  parses: boolean;
  id: string;
}

function main(): void {
  const real = fixtureLines(REAL_LOG);
  const lines = real.filter((_, i) => i % 5 < 3).map(retime);
  // What the real log lacks here: a line that is not an access-log line at all.
  lines.push({utcMillis: Date.parse("2023-05-16T06:00:00Z"), clientIp: "10.0.4.18", text: "[Tue May 16 11:30:00.123456 2023] [mpm_event:notice] [pid 1234:tid 140] AH00489: Apache/2.4.57 (Unix) configured -- resuming normal operations", parses: false});
  const events: LogEvent[] = lines
    .map((line) => ({instance: INSTANCES[hash(line.clientIp) % INSTANCES.length], timestamp: line.utcMillis + 400 + (hash(line.text) % 1600), message: line.text, parses: line.parses, id: ""}))
    .sort((a, b) => a.timestamp - b.timestamp || compare(a.message, b.message));
  // CloudWatch's ids are 56 digits; these are unique and stable.
  events.forEach((event, i) => (event.id = `3${String(event.timestamp).padStart(15, "0")}${String(hash(event.message)).padStart(10, "0")}${String(i).padStart(30, "0")}`));

  rmSync(join(SAMPLE_DIR, "firehose"), {recursive: true, force: true});
  rmSync(join(SAMPLE_DIR, "export-task"), {recursive: true, force: true});
  const firehose = writeFirehose(events);
  const exportTask = writeExportTask(events);
  const perInstance = (count: (instance: string) => number) => INSTANCES.map((instance) => ({log_stream: instance, events: count(instance)}));
  const expected = {
    description: "What a correct sync of sample/firehose (format firehose) and of sample/export-task (format export-task) gives; computed by scripts/make-sample-sources.ts",
    logGroup: LOG_GROUP,
    firehose: {
      ...firehose,
      events: events.filter((e) => e.parses).length,
      rejected: events.filter((e) => !e.parses).length,
      instances: perInstance((instance) => events.filter((e) => e.parses && e.instance === instance).length),
    },
    exportTask: {
      ...exportTask,
      events: events.filter((e) => e.parses).length,
      rejected: events.filter((e) => !e.parses).length,
      instances: perInstance((instance) => events.filter((e) => e.parses && e.instance === instance).length),
    },
  };
  writeFileSync(join(SAMPLE_DIR, "expected-sources.json"), JSON.stringify(expected, null, 2) + "\n");
  console.log(`sample/firehose: ${firehose.objects} objects, ${firehose.documents} documents; sample/export-task: ${exportTask.objects} parts; ${events.length} log events`);
}

/**
 * One document per instance per minute (how a subscription filter batches a stream's events),
 * documents gathered into one object per 900 s buffer, named after the buffer's first arrival.
 */
function writeFirehose(events: LogEvent[]) {
  const buffers = new Map<number, LogEvent[]>();
  for (const event of events) {
    const start = Math.floor(event.timestamp / BUFFER_MS) * BUFFER_MS;
    const list = buffers.get(start) ?? [];
    list.push(event);
    buffers.set(start, list);
  }
  const objects: {key: string; body: Buffer; events: number}[] = [];
  let documents = 0;
  for (const [start, buffered] of [...buffers].sort(([a], [b]) => a - b)) {
    const byDocument = new Map<string, LogEvent[]>();
    for (const event of buffered) {
      const documentKey = `${Math.floor(event.timestamp / 60_000)}/${event.instance}`;
      const list = byDocument.get(documentKey) ?? [];
      list.push(event);
      byDocument.set(documentKey, list);
    }
    const texts = [...byDocument.values()].map((documentEvents) =>
      JSON.stringify({
        messageType: "DATA_MESSAGE",
        owner: OWNER,
        logGroup: LOG_GROUP,
        logStream: documentEvents[0].instance,
        subscriptionFilters: [SUBSCRIPTION_FILTER],
        logEvents: documentEvents.map((e) => ({id: e.id, timestamp: e.timestamp, message: e.message})),
      }),
    );
    // CloudWatch checks the destination when the subscription filter is created.
    if (objects.length === 0) texts.unshift(JSON.stringify({messageType: "CONTROL_MESSAGE", owner: "CloudwatchLogs", logGroup: "", logStream: "", subscriptionFilters: [], logEvents: [{id: "", timestamp: buffered[0].timestamp - 5000, message: "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}));
    documents += byDocument.size;
    const arrival = buffered[0].timestamp + 1000;
    objects.push({key: firehoseKey(arrival, `buffer ${start}`), body: gzipSync(texts.join(""), {level: 9}), events: buffered.length});
  }
  for (const object of objects) writeSample("firehose", object.key, object.body);
  // A Firehose retry: the 10th object's documents written again into a new object, 6 minutes later.
  const original = objects[9];
  const redeliveredKey = firehoseKey(Date.parse(timeOfKey(original.key)) + 360_000, `retry of ${original.key}`);
  writeSample("firehose", redeliveredKey, original.body);
  return {
    objects: objects.length + 1,
    documents,
    controlMessages: 1,
    redelivered: {originalKey: original.key, redeliveredKey, events: original.events},
  };
}

/** <YYYY/MM/dd/HH>/<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>, in UTC. */
function firehoseKey(arrival: number, seed: string): string {
  const t = new Date(arrival);
  const two = (n: number) => String(n).padStart(2, "0");
  const [y, mo, d, h, mi, s] = [t.getUTCFullYear(), two(t.getUTCMonth() + 1), two(t.getUTCDate()), two(t.getUTCHours()), two(t.getUTCMinutes()), two(t.getUTCSeconds())];
  return `${y}/${mo}/${d}/${h}/${DELIVERY_STREAM}-1-${y}-${mo}-${d}-${h}-${mi}-${s}-${uuid(seed)}`;
}

function timeOfKey(key: string): string {
  const [, y, mo, d, h, mi, s] = /-1-(\d{4})-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-/.exec(key)!;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}Z`;
}

/** One export task of the whole range: each instance's stream in parts of EXPORT_PART_LINES lines. */
function writeExportTask(events: LogEvent[]) {
  let objects = 0;
  for (const instance of INSTANCES) {
    const mine = events.filter((e) => e.instance === instance);
    for (let part = 0; part * EXPORT_PART_LINES < mine.length; part++) {
      const lines = mine.slice(part * EXPORT_PART_LINES, (part + 1) * EXPORT_PART_LINES).map((e) => `${new Date(e.timestamp).toISOString()} ${e.message}\n`);
      writeSample("export-task", `exportedlogs/${EXPORT_TASK_ID}/${instance}/${String(part).padStart(6, "0")}.gz`, gzipSync(lines.join(""), {level: 9}));
      objects++;
    }
  }
  const writeTest = "exportedlogs/aws-logs-write-test";
  writeSample("export-task", writeTest, Buffer.from("Permission Check Successful"));
  return {objects, taskId: EXPORT_TASK_ID, skipped: [writeTest]};
}

function writeSample(tree: "firehose" | "export-task", key: string, body: Buffer): void {
  const file = join(SAMPLE_DIR, tree, key);
  mkdirSync(dirname(file), {recursive: true});
  writeFileSync(file, body);
}

/** A version-4-shaped UUID from a seed: stable across runs. */
function uuid(seed: string): string {
  const hex = [0, 1, 2, 3].map((i) => hash(`${i}:${seed}`).toString(16).padStart(8, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** FNV-1a, as in make-sample.ts. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

main();
