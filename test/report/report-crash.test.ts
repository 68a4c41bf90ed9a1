// A report killed with SIGKILL at any moment while it takes files in, then run again, gives the
// same store as one that was never killed: the files' read positions are committed with their rows.
import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {existsSync, mkdirSync, readdirSync, writeFileSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join, relative} from "node:path";
import {gzipSync} from "node:zlib";
import {after, before, test} from "node:test";
import {loadConfig} from "../../data-loaders/config.js";
import {openEnrichment, type Enrichment} from "../../data-loaders/enrich/enrichers.js";
import {lineParserFor} from "../../data-loaders/parse/formats.js";
import {everyInstance} from "../../data-loaders/parse/instance-formats.js";
import {takeInLogFiles} from "../../data-loaders/report/take-in-files.js";
import {findLogFiles} from "../../data-loaders/sources/local-files.js";
import {liveFiles, readManifest, segmentsOfKind} from "../../data-loaders/store/manifest.js";
import {openDuckDB, sqlFileList} from "../../data-loaders/write/duckdb.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {isWellFormedCombined, sampleLogLines} from "../support/sample-log-lines.js";

const lines = sampleLogLines();
let dir: string;
let enrichment: Enrichment;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weblog-report-crash-"));
  const logs = join(dir, "logs");
  mkdirSync(join(logs, "web-2"), {recursive: true});
  const text = (from: number, to: number) => lines.slice(from, to).map((line) => line + "\n").join("");
  writeFileSync(join(logs, "web-1.access.log.1.gz"), gzipSync(text(0, 2000)));
  writeFileSync(join(logs, "web-1.access.log"), text(2000, 4000));
  writeFileSync(join(logs, "web-2", "access.log"), text(4000, lines.length));
  enrichment = await openEnrichment(loadConfig(dir, {}));
});

after(async () => {
  if (dir) await rm(dir, {recursive: true, force: true});
});

/** Events and rejected lines in the store, and any segment file its manifest does not name. */
async function inspect(store: string) {
  const manifest = await readManifest(store);
  const duckdb = await openDuckDB();
  const count = async (kind: "events" | "rejected") => {
    const files = segmentsOfKind(manifest, kind).map((s) => join(store, s.file));
    return files.length === 0 ? 0 : Number((await duckdb.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlFileList(files)})`)).getRowsJS()[0][0]);
  };
  const live = liveFiles(manifest);
  const strays = ["events", "rejected"].filter((folder) => existsSync(join(store, folder))).flatMap((folder) =>
    readdirSync(join(store, folder), {recursive: true, withFileTypes: true})
      .filter((e) => e.isFile())
      .map((e) => relative(store, join(e.parentPath, e.name)))
      .filter((file) => !live.has(file)),
  );
  return {events: await count("events"), rejected: await count("rejected"), strays};
}

for (const commits of [1, 5, 12]) {
  test(`report killed with SIGKILL after ${commits} commits, then run again: every line once`, {timeout: 120_000}, async () => {
    const out = `killed-${commits}`;
    const child = spawn(process.execPath, [join(PROJECT_DIR, "bin/weblog.js"), "report", "logs", "--out", out, "--batch-events", "100"], {cwd: dir, stdio: ["ignore", "ignore", "pipe"]});
    let output = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on("data", (chunk) => {
        output += chunk;
        if ((output.match(/committed/g) ?? []).length >= commits) resolve();
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code} before ${commits} commits:\n${output}`)));
    });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));

    const store = join(dir, `.${out}.weblog`, "store");
    const partial = await inspect(store);
    assert.ok(partial.events > 0 && partial.events < lines.length - 2, `killed midway (${partial.events} events stored)`);

    const files = await findLogFiles(["logs"], dir);
    await takeInLogFiles(store, files, {parsers: everyInstance(lineParserFor("combined")), enrichment: async () => enrichment});
    const wellFormed = lines.filter(isWellFormedCombined).length;
    assert.deepEqual(await inspect(store), {events: wellFormed, rejected: lines.length - wellFormed, strays: []});
  });
}
