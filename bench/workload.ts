// The benchmarks' input: the 10,000 real Combined lines of test/fixtures/real-logs, repeated to
// any size with their times spread evenly over a month (so a store of 10M events has 30 days,
// as a month of a busy site would), shipped as the S3 sink writes them: CloudWatch records, 1000
// per object, one topic per instance.
import {PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
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

/** The S3 sink object holding lines [first, first + 1000) of the workload, with its key. */
export function benchObject(objectIndex: number, total: number, bucketYear = 2025): {key: string; body: string} {
  const instance = INSTANCES[objectIndex % INSTANCES.length];
  const topic = `cloudwatchLogsEC2.${instance}`;
  const offset = Math.floor(objectIndex / INSTANCES.length) * RECORDS_PER_OBJECT;
  const first = objectIndex * RECORDS_PER_OBJECT;
  const records: string[] = [];
  for (let i = first; i < Math.min(first + RECORDS_PER_OBJECT, total); i++) {
    records.push(JSON.stringify({logGroupName: "cloudwatchLogsEC2", logStreamName: instance, timestamp: timeOf(i, total), message: benchLine(i, total)}));
  }
  return {key: `topics/${topic}/year=${bucketYear}/${topic}+0+${String(offset).padStart(10, "0")}.json`, body: records.join("\n")};
}

/** Puts the whole workload into `bucket`, 16 objects at a time. */
export async function uploadWorkload(client: S3Client, bucket: string, total: number): Promise<number> {
  const objects = Math.ceil(total / RECORDS_PER_OBJECT);
  for (let o = 0; o < objects; o += 16) {
    await Promise.all(
      Array.from({length: Math.min(16, objects - o)}, (_, j) => {
        const {key, body} = benchObject(o + j, total);
        return client.send(new PutObjectCommand({Bucket: bucket, Key: key, Body: body}));
      }),
    );
  }
  return objects;
}
