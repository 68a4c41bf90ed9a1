// What reading S3 sink objects costs alone, through the AWS SDK as sync reads them (readAhead,
// 8 at a time) from the local S3 endpoint in a process of its own: CPU of the main thread and
// of the whole process per event, three rounds over the same objects. Figures for people.
//   npx tsx bench/s3-reads.ts [events=200000] [workload=diverse]
import {listPagesBySdk} from "../data-loaders/sources/list-pages.js";
import {listSinkObjects} from "../data-loaders/sources/s3-sink.js";
import {readAhead} from "../data-loaders/sources/read-ahead.js";
import {benchBucket} from "./bench-bucket.js";
import {mainThreadCpuSeconds} from "./cpu-seconds.js";
import type {Workload} from "./workload.js";

const events = Number(process.argv[2] ?? 200_000);
const workload = (process.argv[3] ?? "diverse") as Workload;

const {client, bucket, close} = await benchBucket("s3-reads", events, workload);
try {
  const objects: {key: string}[] = [];
  for await (const listed of listSinkObjects(listPagesBySdk(client), {bucket, prefix: ""})) objects.push({key: listed.key});
  for (let round = 1; round <= 3; round++) {
    const main = mainThreadCpuSeconds();
    const cpu = process.cpuUsage();
    const started = performance.now();
    let bytes = 0;
    for await (const read of readAhead(client, bucket, objects, 8)) bytes += read.content?.bytes.length ?? 0;
    const used = process.cpuUsage(cpu);
    const us = (seconds: number) => ((seconds * 1e6) / events).toFixed(2);
    console.log(
      `round ${round}: ${objects.length} objects of ${(bytes / objects.length / 1024).toFixed(0)} KB: ` +
        `${us(mainThreadCpuSeconds() - main)} µs CPU per event on the main thread, ${us((used.user + used.system) / 1e6)} in the process, ${us((performance.now() - started) / 1000)} wall`,
    );
  }
} finally {
  await close();
}
