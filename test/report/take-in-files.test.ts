// Local access-log files into the store: every line once, as an event or a rejected line, however
// often the files are read again, grown, rotated (renamed, compressed, copied and truncated) or
// rewritten. Lines are the bundled sample's real ones; the expected counts come from which lines
// are whole Combined lines (test/support/sample-log-lines.ts), not from the parser.
import assert from "node:assert/strict";
import {appendFileSync, readFileSync, renameSync, truncateSync, writeFileSync, mkdirSync, copyFileSync, rmSync} from "node:fs";
import {mkdir, mkdtemp, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {gzipSync} from "node:zlib";
import {after, before, test} from "node:test";
import {loadConfig} from "../../data-loaders/config.js";
import {openEnrichment, type Enrichment} from "../../data-loaders/enrich/enrichers.js";
import {lineParserFor} from "../../data-loaders/parse/formats.js";
import {configuredInstanceParsers, everyInstance} from "../../data-loaders/parse/instance-formats.js";
import {takeInLogFiles, type TakeInResult} from "../../data-loaders/report/take-in-files.js";
import {findLogFiles} from "../../data-loaders/sources/local-files.js";
import {readManifest, segmentsOfKind} from "../../data-loaders/store/manifest.js";
import {openDuckDB, sqlFileList} from "../../data-loaders/write/duckdb.js";
import {isWellFormedCombined, sampleLogLines} from "../support/sample-log-lines.js";

const lines = sampleLogLines();
let dir: string;
let logs: string;
let store: string;
let enrichment: Enrichment;
/** Lines written so far, by instance. */
const written = new Map<string, string[]>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weblog-files-"));
  logs = join(dir, "logs");
  store = join(dir, "store");
  enrichment = await openEnrichment(loadConfig(dir, {}));
});

after(async () => {
  await rm(dir, {recursive: true, force: true});
});

let next = 0;
/** The next `n` sample lines, as a file's text, recorded as written for `instance`. */
function take(instance: string, n: number): string {
  const chunk = lines.slice(next, next + n);
  next += n;
  assert.equal(chunk.length, n, "the sample has enough lines");
  written.set(instance, [...(written.get(instance) ?? []), ...chunk]);
  return chunk.map((line) => line + "\n").join("");
}

async function run(): Promise<TakeInResult> {
  const files = await findLogFiles([logs], dir);
  return takeInLogFiles(store, files, {parsers: everyInstance(lineParserFor("combined")), enrichment: async () => enrichment});
}

/** Events per instance and rejected lines in the store, by SQL over its segments. */
async function stored(): Promise<{events: Record<string, number>; rejected: number}> {
  const manifest = await readManifest(store);
  const duckdb = await openDuckDB();
  const eventFiles = segmentsOfKind(manifest, "events").map((s) => join(store, s.file));
  const rejectedFiles = segmentsOfKind(manifest, "rejected").map((s) => join(store, s.file));
  const events: Record<string, number> = {};
  if (eventFiles.length > 0) {
    const rows = (await duckdb.runAndReadAll(`SELECT log_stream, count(*) FROM read_parquet(${sqlFileList(eventFiles)}) GROUP BY 1`)).getRowsJS();
    for (const [stream, n] of rows) events[String(stream)] = Number(n);
  }
  const rejected = rejectedFiles.length === 0 ? 0 : Number((await duckdb.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlFileList(rejectedFiles)})`)).getRowsJS()[0][0]);
  return {events, rejected};
}

function expected(): {events: Record<string, number>; rejected: number} {
  const events: Record<string, number> = {};
  let rejected = 0;
  for (const [instance, mine] of written) {
    events[instance] = mine.filter(isWellFormedCombined).length;
    rejected += mine.filter((line) => !isWellFormedCombined(line)).length;
  }
  return {events, rejected};
}

test("a rotated set and a second instance: every line once, instances by file name", async () => {
  mkdirSync(join(logs, "web-2"), {recursive: true});
  // Oldest first, as logrotate leaves them: .2.gz, .1, then the live file.
  writeFileSync(join(logs, "web-1.access.log.2.gz"), gzipSync(take("web-1", 400)));
  writeFileSync(join(logs, "web-1.access.log.1"), take("web-1", 400));
  writeFileSync(join(logs, "web-1.access.log"), take("web-1", 300));
  // Includes the sample's lines that do not parse.
  next = lines.findIndex((line) => !isWellFormedCombined(line)) - 100;
  writeFileSync(join(logs, "web-2", "access.log"), take("web-2", 300));
  next = 1500;
  const result = await run();
  assert.equal(result.added, 4);
  assert.deepEqual(await stored(), expected());
  assert.ok(expected().rejected >= 1, "some lines are rejected");
  assert.deepEqual(Object.keys(expected().events).sort(), ["web-1", "web-2"]);
});

test("read again: nothing is added", async () => {
  const result = await run();
  assert.deepEqual({unchanged: result.unchanged, events: result.events, changed: result.changed}, {unchanged: 4, events: 0, changed: false});
  assert.deepEqual(await stored(), expected());
});

test("a file that grew is read from where it was left; an unfinished last line waits until it ends", async () => {
  appendFileSync(join(logs, "web-1.access.log"), take("web-1", 50));
  const unfinished = lines[next++];
  appendFileSync(join(logs, "web-1.access.log"), unfinished.slice(0, 20));
  const result = await run();
  assert.equal(result.grown, 1);
  assert.equal(result.unfinished, 1);
  assert.deepEqual(await stored(), expected());
  appendFileSync(join(logs, "web-1.access.log"), unfinished.slice(20) + "\n");
  written.get("web-1")!.push(unfinished);
  await run();
  assert.deepEqual(await stored(), expected());
});

test("after a rotation (rename, compress, new live file) only the new file's lines are added", async () => {
  const at = (name: string) => join(logs, name);
  renameSync(at("web-1.access.log.2.gz"), at("web-1.access.log.3.gz"));
  // delaycompress: .1 becomes .2.gz, the live file becomes .1, and a new live file starts.
  writeFileSync(at("web-1.access.log.2.gz"), gzipSync(readFileSync(at("web-1.access.log.1"))));
  rmSync(at("web-1.access.log.1"));
  renameSync(at("web-1.access.log"), at("web-1.access.log.1"));
  writeFileSync(at("web-1.access.log"), take("web-1", 40));
  const result = await run();
  assert.deepEqual({added: result.added, unchanged: result.unchanged}, {added: 1, unchanged: 4});
  assert.deepEqual(await stored(), expected());
});

test("copytruncate: the copy is the same file, the truncated one starts anew", async () => {
  const live = join(logs, "web-2", "access.log");
  appendFileSync(live, take("web-2", 30));
  copyFileSync(live, join(logs, "web-2", "access.log.1"));
  truncateSync(live, 0);
  appendFileSync(live, take("web-2", 25));
  const result = await run();
  assert.deepEqual({added: result.added, grown: result.grown}, {added: 1, grown: 1});
  assert.deepEqual(await stored(), expected());
});

test("a copy of a file is read once", async () => {
  copyFileSync(join(logs, "web-1.access.log"), join(logs, "web-1.access.log.9"));
  const result = await run();
  assert.equal(result.sameAs.length, 1);
  assert.deepEqual(await stored(), expected());
  rmSync(join(logs, "web-1.access.log.9"));
});

test("a file rewritten before where reading stopped is taken anew: its old rows are replaced", async () => {
  const file = join(logs, "web-2", "access.log.1");
  const text = readFileSync(file, "utf8").split("\n").slice(0, -1);
  const kept = text.slice(0, text.length - 60);
  writeFileSync(file, kept.map((line) => line + "\n").join(""));
  // What web-2 holds now: the lines of access.log.1 kept, and the live file's.
  const live = readFileSync(join(logs, "web-2", "access.log"), "utf8").split("\n").slice(0, -1);
  written.set("web-2", [...kept, ...live]);
  const result = await run();
  assert.equal(result.rewritten, 1);
  assert.deepEqual(await stored(), expected());
});

test("logFormats: each file's lines are read with its instance's format, the others with logFormat", async () => {
  const mixed = join(dir, "mixed");
  await mkdir(mixed, {recursive: true});
  const combined = lines.filter(isWellFormedCombined).slice(0, 30);
  await writeFile(join(mixed, "api.access.log"), combined.map((line, i) => `${line} ${1000 + i}\n`).join(""));
  await writeFile(join(mixed, "web-9.access.log"), combined.map((line) => `${line}\n`).join(""));
  const parsers = configuredInstanceParsers({
    logFormat: "combined",
    timeZone: null,
    logFormats: [{logGroup: null, logStream: "api", format: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D'}],
  });
  const mixedStore = join(dir, "mixed-store");
  const result = await takeInLogFiles(mixedStore, await findLogFiles([mixed], dir), {parsers, enrichment: async () => enrichment});
  assert.deepEqual([result.events, result.rejected], [60, 0]);
  const manifest = await readManifest(mixedStore);
  const duckdb = await openDuckDB();
  const files = segmentsOfKind(manifest, "events").map((s) => join(mixedStore, s.file));
  const rows = (await duckdb.runAndReadAll(`SELECT log_stream, count(duration_us), sum(duration_us) FROM read_parquet(${sqlFileList(files)}) GROUP BY 1 ORDER BY 1`)).getRowsJS();
  // 1000 + 1001 + … + 1029 microseconds on the API's lines; none on the other instance's.
  assert.deepEqual(rows.map(([stream, n, sum]) => [stream, Number(n), sum === null ? null : Number(sum)]), [["api", 30, 30 * 1000 + (29 * 30) / 2], ["web-9", 0, null]]);
});
