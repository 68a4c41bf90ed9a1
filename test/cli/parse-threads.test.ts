// `weblog parse` on several worker threads, run as a user runs it: its stdout is, byte for byte,
// what the single thread writes (error lines and their line numbers, CRLF, a last line without a
// line break), from the bundle and from the TypeScript; a slow reader of stdout loses nothing, and
// a log followed live comes out line by line.
import assert from "node:assert/strict";
import {spawn, spawnSync} from "node:child_process";
import {readdirSync, readFileSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {createInterface} from "node:readline";
import {setTimeout as sleep} from "node:timers/promises";
import {diverseLine} from "../../bench/workload.js";
import {PIECE_SIZE} from "../../data-loaders/cli/parse.js";
import {bundledGeoLite2City} from "../../data-loaders/enrich/bundled-geolite2.js";
import {fixtureLines, REAL_LOG} from "../fixtures.js";
import {PROJECT_DIR} from "../support/sample-site.js";

const BIN = join(PROJECT_DIR, "bin/weblog.js");
const MAIN_TS = join(PROJECT_DIR, "data-loaders/cli/main.ts");
const ENV = {...process.env, WEBLOG_CONFIG: "", WEBLOG_TIME_ZONE: ""};

let cacheDir: string;
let city: string;
before(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "weblog-parse-threads-"));
  city = await bundledGeoLite2City(join(cacheDir, "geoip"));
  // The bundle as `npm ci` leaves it (scripts/bundle-cli.ts), so that bin/weblog.js runs it.
  const bundle = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_DIR, "scripts/bundle-cli.ts")], {cwd: PROJECT_DIR, encoding: "utf8"});
  assert.equal(bundle.status, 0, bundle.stderr);
});
after(async () => {
  await rm(cacheDir, {recursive: true, force: true});
});

/** The sample's S3 sink records (JSON objects, bare strings, Connect envelopes, one cut short), one per line. */
function sampleRecords(): string[] {
  const topics = join(PROJECT_DIR, "sample/s3-sink/topics");
  const files = readdirSync(topics, {recursive: true, encoding: "utf8"}).filter((file) => file.endsWith(".json") && !file.endsWith(".keys.json"));
  assert.ok(files.length > 5, `sample objects: ${files.length}`);
  return files.sort().flatMap((file) => readFileSync(join(topics, file), "utf8").split("\n").filter((line) => line !== ""));
}

/**
 * Several pieces' worth of the real log and the sample's records, with what pieces must not get
 * wrong in between: bad and blank lines (error lines carry the global line number), CRLF and
 * lone CR line breaks, non-ASCII text, and a last line with no line break.
 */
function mixedInput(): Buffer {
  const real = fixtureLines(REAL_LOG);
  const records = sampleRecords();
  const odd = ["", "not a log line", '{"broken', '81.2.69.142 - - [24/Nov/2026:05:30:00 +0000] "GET /é?q=\\x22 HTTP/1.1" 200 1 "-" "Mozilla/5.0 😀 \\"q\\""'];
  const parts: string[] = [];
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < real.length; i++) {
      parts.push(real[i], i % 997 === 0 ? "\r\n" : i % 1999 === 0 ? "\r" : "\n");
      if (i % 1500 === 0) parts.push(odd.join("\n"), "\n");
    }
    for (const record of records) parts.push(record, "\n");
  }
  parts.push(real[0]); // no line break at the end
  return Buffer.from(parts.join(""));
}

interface ParseRun {
  stdout: Buffer;
  /** Worker threads the command started, from Node's own debug log of workers (NODE_DEBUG=worker). */
  workers: number;
}

function parseRun(command: string[], input: Buffer, threads: string | null): ParseRun {
  const args = [...command, "parse", "--geoip", city, ...(threads === null ? [] : ["--threads", threads])];
  const run = spawnSync(process.execPath, args, {cwd: PROJECT_DIR, input, env: {...ENV, NODE_DEBUG: "worker"}, maxBuffer: 1 << 30});
  const stderr = run.stderr.toString();
  assert.equal(run.status, 0, stderr);
  // Node logs each worker's options as it creates it: ours carry the parse settings (tsx's own workers do not).
  return {stdout: run.stdout, workers: stderr.match(/workerData: \{\s+format: /g)?.length ?? 0};
}

test("on several threads, from the bundle and from the TypeScript, stdout is byte for byte the single thread's", () => {
  const input = mixedInput();
  assert.ok(input.length > 8 * PIECE_SIZE, `${input.length} bytes of input: enough pieces for every worker`);
  const {stdout: single, workers: none} = parseRun([BIN], input, "1");
  assert.equal(none, 0, "--threads 1 parses in the main thread");
  const printed = single.toString("utf8").split("\n");
  assert.equal(printed.pop(), "", "every output line ends with a line break");
  assert.equal(printed.length, input.toString("utf8").split(/\r\n|\n|\r/).length, "one output line per input line");
  const errors = printed.filter((line) => line.startsWith('{"error"'));
  assert.ok(errors.length > 20, `${errors.length} error lines`);
  // The error lines' numbers are the input's: the last ones sit pieces away from the first.
  const lineOfError = (line: string) => JSON.parse(line).line as number;
  for (const error of errors) assert.equal(printed[lineOfError(error) - 1], error);
  const lastError = lineOfError(errors[errors.length - 1]);
  assert.ok(lastError > printed.length / 2, `the last error line is line ${lastError} of ${printed.length}`);

  assertSameOnThreads(input, single, [
    // The main thread is one of the threads.
    ["bundle, 2 threads", [BIN], "2", 1],
    ["bundle, 4 threads", [BIN], "4", 3],
    ["TypeScript compiled by tsx, 2 threads", ["--import", "tsx", MAIN_TS], "2", 1],
  ]);
});

/** Each run (its name, command, --threads and the workers it must start) prints `single`, byte for byte. */
function assertSameOnThreads(input: Buffer, single: Buffer, runs: readonly (readonly [name: string, command: readonly string[], threads: string, workers: number])[]): void {
  for (const [name, command, threads, workers] of runs) {
    const threaded = parseRun([...command], input, threads);
    assert.equal(threaded.workers, workers, `${name}: workers started`);
    assert.ok(threaded.stdout.equals(single), `${name}: ${threaded.stdout.length} bytes against ${single.length}`);
  }
}

test("the diverse lines (25,000 clients, a third IPv6, thousands of agents): the threads share what each made first, and stdout is still the single thread's", () => {
  // Every thread meets most of the clients and agents in its first pieces; what one made and
  // another learned must give the same bytes, whichever thread came first.
  const count = 40_000;
  const input = Buffer.from(Array.from({length: count}, (_, i) => diverseLine(i, count)).join("\n") + "\n");
  assert.ok(input.length > 12 * PIECE_SIZE, `${input.length} bytes of input`);
  const single = parseRun([BIN], input, "1").stdout;
  assert.equal(single.toString("utf8").split("\n").length - 1, count);
  assertSameOnThreads(input, single, [
    ["bundle, 2 threads", [BIN], "2", 1],
    ["bundle, 3 threads", [BIN], "3", 2],
    ["TypeScript compiled by tsx, 3 threads", ["--import", "tsx", MAIN_TS], "3", 2],
  ]);
});

test("stdin that comes 4 KB at a time (what a pipe holds on some machines): the workers still start, the output is the same", async (t) => {
  const input = mixedInput();
  const expected = parseRun([BIN], input, "1").stdout;
  const child = spawn(process.execPath, [BIN, "parse", "--geoip", city, "--threads", "2"], {cwd: PROJECT_DIR, env: {...ENV, NODE_DEBUG: "worker"}, stdio: ["pipe", "pipe", "pipe"]});
  t.after(() => child.kill());
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  const output: Buffer[] = [];
  child.stdout.on("data", (data: Buffer) => output.push(data));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  for (let at = 0; at < input.length; at += 4096) {
    if (!child.stdin.write(input.subarray(at, at + 4096))) await new Promise((resolve) => child.stdin.once("drain", resolve));
    // Each write reaches the command as a read of its own.
    await new Promise((resolve) => setImmediate(resolve));
  }
  child.stdin.end();
  assert.equal(await exited, 0, stderr);
  assert.equal(stderr.match(/workerData: \{\s+format: /g)?.length, 1, "pieces went to a worker");
  assert.ok(Buffer.concat(output).equals(expected));
});

test("input of one piece or less is parsed in the main thread: no worker starts", () => {
  const lines = fixtureLines(REAL_LOG).slice(0, 1000);
  for (const input of [lines[0] + "\n", lines.join("\n")]) {
    const text = Buffer.from(input);
    assert.ok(text.length < PIECE_SIZE);
    const run = parseRun([BIN], text, null);
    assert.equal(run.workers, 0);
    assert.ok(run.stdout.equals(parseRun([BIN], text, "1").stdout));
    assert.equal(run.stdout.toString().split("\n").length - 1, input.split("\n").filter((line) => line !== "").length);
  }
});

test("a reader of stdout that stops: the command stops reading stdin; read slowly, nothing is lost or reordered", {timeout: 180_000}, async (t) => {
  // The real log, 4 times: some 9 MB of input, 40 MB of output.
  const real = Buffer.from(fixtureLines(REAL_LOG).join("\n") + "\n");
  const input = Buffer.concat(Array.from({length: 4}, () => real));
  const expected = parseRun([BIN], input, "1").stdout;

  const child = spawn(process.execPath, [BIN, "parse", "--geoip", city, "--threads", "2"], {cwd: PROJECT_DIR, env: {...ENV, NODE_DEBUG: "worker"}, stdio: ["pipe", "pipe", "pipe"]});
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  // A failed assertion must not leave the command waiting for a reader.
  t.after(() => child.kill());
  // Once the command is at work (its first output is out), nobody reads its stdout, and all the
  // input is offered: the command takes only what its pieces in flight and the pipes hold, then
  // stops reading.
  const received: Buffer[] = [];
  const started = new Promise<void>((resolve) =>
    child.stdout.once("data", (data: Buffer) => {
      child.stdout.pause();
      received.push(data);
      resolve();
    }),
  );
  const chunk = 256 << 10;
  let offered = 4 * PIECE_SIZE;
  child.stdin.write(input.subarray(0, offered));
  await started;
  while (offered < input.length) {
    const more = child.stdin.write(input.subarray(offered, offered + chunk));
    offered = Math.min(offered + chunk, input.length);
    if (!more) {
      const drained = await Promise.race([new Promise((resolve) => child.stdin.once("drain", () => resolve(true))), sleep(5000).then(() => false)]);
      if (!drained) break;
    }
  }
  assert.ok(offered < input.length / 2, `the command took ${offered} of ${input.length} bytes with nobody reading its output`);

  // Now a slow reader: a pause after every chunk it reads.
  const reading = (async () => {
    for await (const data of child.stdout) {
      received.push(data as Buffer);
      await sleep(1);
    }
  })();
  child.stdin.end(input.subarray(offered));
  await reading;
  assert.equal(await exited, 0, stderr);
  assert.equal(stderr.match(/workerData: \{\s+format: /g)?.length, 1, "pieces went to a worker");
  const output = Buffer.concat(received);
  assert.ok(output.equals(expected), `${output.length} bytes read slowly against ${expected.length}`);
});

test("a log followed live: each line's event comes out before the next line is written", {timeout: 120_000}, async (t) => {
  const lines = fixtureLines(REAL_LOG).slice(0, 3);
  const child = spawn(process.execPath, [BIN, "parse", "--geoip", city], {cwd: PROJECT_DIR, env: ENV, stdio: ["pipe", "pipe", "inherit"]});
  t.after(() => child.kill());
  const events = createInterface({input: child.stdout});
  const next = events[Symbol.asyncIterator]();
  for (const line of lines) {
    child.stdin.write(line + "\n");
    // stdin stays open: the event must come with nothing more written.
    const {value} = await next.next();
    assert.equal(JSON.parse(value as string).client_ip, line.slice(0, line.indexOf(" ")));
  }
  child.stdin.end();
  assert.equal((await next.next()).done, true);
});
