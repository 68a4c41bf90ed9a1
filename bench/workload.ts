// The benchmarks' input: the 10,000 real Combined lines of test/fixtures/real-logs, repeated to
// any size with their times spread evenly over a month (so a store of 10M events has 30 days,
// as a month of a busy site would), shipped as the S3 sink writes them: CloudWatch records, 1000
// per object, one topic per instance. The real lines alone have 1,753 clients, 559 agents and
// 1,498 paths, which flatters anything that counts by them; the diverse workload (diverseLine)
// gives the same lines 25,000 clients (a third IPv6), thousands more paths and agents.
import {PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import {connectKeyText} from "../data-loaders/records/connect-key.js";
import {fixtureLines, REAL_LOG} from "../test/fixtures.js";

export const RECORDS_PER_OBJECT = 1000;
export const INSTANCES = ["i-0bench00000000001", "i-0bench00000000002", "i-0bench00000000003"];
const START = Date.UTC(2025, 0, 1);
const SPAN_MS = 30 * 86_400_000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const real = fixtureLines(REAL_LOG);

function timeOf(i: number, total: number): number {
  return START + Math.floor((i * SPAN_MS) / total);
}

/** Line `i` of a workload of `total` lines: a real line, re-timed to its place in the month. */
export function benchLine(i: number, total: number): string {
  const t = new Date(timeOf(i, total));
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${pad(t.getUTCDate())}/${MONTHS[t.getUTCMonth()]}/${t.getUTCFullYear()}:${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} +0000`;
  return real[i % real.length].replace(/\[[^\]]+\]/, `[${stamp}]`);
}

/** How many distinct clients the diverse workload has. */
export const DIVERSE_CLIENTS = 25_000;

/**
 * Line `i` of the diverse workload: the real line of benchLine with its client one of 25,000
 * (every third an IPv6 address in a real provider's range, so GeoLite2 places it), one line in
 * four asking for one of 5,000 article paths, and browser versions varied, so that the clients,
 * paths and agents the pages count by number in the tens of thousands, as on a busy public site.
 */
export function diverseLine(i: number, total: number): string {
  const line = benchLine(i, total);
  // A multiplicative hash spreads each client over the month, not in one run of lines.
  const client = (Math.imul(i, 2654435761) >>> 0) % DIVERSE_CLIENTS;
  let text = line.replace(/^\S+/, clientAddress(client));
  if (i % 4 === 1) text = text.replace(/"(GET|POST|HEAD) \S+/, `"$1 /articles/${(i >>> 2) % 5000}/`);
  return text.replace(/Chrome\/\d+/, `Chrome/${80 + (client % 40)}`).replace(/Firefox\/\d+/, `Firefox/${60 + (client % 60)}`);
}

const IPV6_PREFIXES = ["2a03:2880:f1", "2001:4860:4", "2a00:1450:40", "2606:4700:30", "2a02:c7f:", "2405:200:1"];

function clientAddress(n: number): string {
  if (n % 3 === 0) return `${IPV6_PREFIXES[n % IPV6_PREFIXES.length]}${(n % 256).toString(16).padStart(2, "0")}::${(n >>> 8).toString(16)}:${(n % 97).toString(16)}`;
  // Public IPv4 across many /8s, never a private or reserved one.
  const firsts = [23, 31, 45, 62, 81, 93, 104, 151, 176, 185, 188, 203];
  return `${firsts[n % firsts.length]}.${(n >>> 4) % 250}.${(n * 7) % 250}.${1 + (n % 253)}`;
}

export type Workload = "real" | "diverse";

const LINES: Record<Workload, (i: number, total: number) => string> = {real: benchLine, diverse: diverseLine};

/** Line `i` of `total` of a workload, as GoAccess reads it from a file. */
export function workloadLine(workload: Workload, i: number, total: number): string {
  return LINES[workload](i, total);
}

/**
 * How a workload's records are written. "message": each line in a JSON object with its log group,
 * stream and CloudWatch time, as other producers and older connector versions write it. "connector":
 * the line alone as a JSON string, the group, stream and time in the Kafka key file beside the
 * object (`.keys.bin`, one `Struct{…}` a line), as Confluent's CloudWatch Logs source and S3 sink
 * write them (docs/design-notes.md, "What the connectors write"): twice the objects to read, and
 * each line's key to decode.
 */
export type RecordShape = "message" | "connector";

/** The shape BENCH_RECORDS names ("message" unless it says "connector"). */
export function recordShapeOf(environment: NodeJS.ProcessEnv): RecordShape {
  return environment.BENCH_RECORDS === "connector" ? "connector" : "message";
}

/** The S3 sink object holding lines [first, first + 1000) of the workload, with its key, and its key file when the shape has one. */
export function benchObject(objectIndex: number, total: number, bucketYear = 2025, workload: Workload = "real", shape: RecordShape = "message"): {key: string; body: string; keyFile: {key: string; body: string} | null} {
  const lineOf = LINES[workload];
  const instance = INSTANCES[objectIndex % INSTANCES.length];
  const topic = `cloudwatchLogsEC2.${instance}`;
  const offset = Math.floor(objectIndex / INSTANCES.length) * RECORDS_PER_OBJECT;
  const first = objectIndex * RECORDS_PER_OBJECT;
  const records: string[] = [];
  const keys: string[] = [];
  for (let i = first; i < Math.min(first + RECORDS_PER_OBJECT, total); i++) {
    if (shape === "connector") {
      records.push(JSON.stringify(lineOf(i, total)));
      keys.push(connectKeyText("cloudwatchLogsEC2", instance, timeOf(i, total)));
    } else {
      records.push(JSON.stringify({logGroupName: "cloudwatchLogsEC2", logStreamName: instance, timestamp: timeOf(i, total), message: lineOf(i, total)}));
    }
  }
  const stem = `topics/${topic}/year=${bucketYear}/${topic}+0+${String(offset).padStart(10, "0")}`;
  return {key: `${stem}.json`, body: records.join("\n"), keyFile: shape === "connector" ? {key: `${stem}.keys.bin`, body: keys.join("\n") + "\n"} : null};
}

/** Puts the workload's objects [from, to) into `bucket` (all of them by default), 16 at a time, with their key files when `shape` has them; gives the objects' keys. */
export async function uploadWorkload(
  client: S3Client,
  bucket: string,
  total: number,
  workload: Workload = "real",
  {from = 0, to = Math.ceil(total / RECORDS_PER_OBJECT), shape = "message"}: {from?: number; to?: number; shape?: RecordShape} = {},
): Promise<string[]> {
  const keys: string[] = [];
  for (let o = from; o < to; o += 16) {
    await Promise.all(
      Array.from({length: Math.min(16, to - o)}, async (_, j) => {
        const {key, body, keyFile} = benchObject(o + j, total, 2025, workload, shape);
        keys.push(key);
        if (keyFile) await client.send(new PutObjectCommand({Bucket: bucket, Key: keyFile.key, Body: keyFile.body}));
        await client.send(new PutObjectCommand({Bucket: bucket, Key: key, Body: body}));
      }),
    );
  }
  return keys;
}
