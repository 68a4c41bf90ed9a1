// Credentials never reach the built site: the sample site is built with an AWS key pair and a
// MaxMind license key in its environment, and no file of dist/ may contain them or anything
// shaped like an AWS key.
import assert from "node:assert/strict";
import {readdir, readFile} from "node:fs/promises";
import {join} from "node:path";
import {test} from "node:test";
import {LOCAL_S3_CREDENTIALS} from "../../scripts/local-s3.js";
import {sampleSite, SECRET_LICENSE_KEY} from "../support/sample-site.js";

test("no credential, license key or endpoint in any file of the built site", async () => {
  const site = await sampleSite();
  const files = (await readdir(site.dist, {recursive: true, withFileTypes: true})).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  assert.ok(files.length > 20, "the site was built");
  const secrets = [LOCAL_S3_CREDENTIALS.AWS_ACCESS_KEY_ID, LOCAL_S3_CREDENTIALS.AWS_SECRET_ACCESS_KEY, SECRET_LICENSE_KEY];
  const found: string[] = [];
  for (const file of files) {
    const bytes = await readFile(file);
    // Parquet is compressed: search its decoded text through its own values too, below.
    const text = bytes.toString("latin1");
    for (const secret of secrets) if (text.includes(secret)) found.push(`${file}: ${secret}`);
    const awsKey = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/.exec(text);
    if (awsKey) found.push(`${file}: ${awsKey[0]}`);
    if (/license_key=[^&\s"']{6,}/.test(text)) found.push(`${file}: a license_key parameter`);
  }
  assert.deepEqual(found, []);
});

test("the shipped Parquet holds no credential either, once decompressed", async () => {
  const site = await sampleSite();
  const {openDuckDB, sqlString} = await import("../../data-loaders/write/duckdb.js");
  const duckdb = await openDuckDB();
  const secrets = [LOCAL_S3_CREDENTIALS.AWS_ACCESS_KEY_ID, LOCAL_S3_CREDENTIALS.AWS_SECRET_ACCESS_KEY, SECRET_LICENSE_KEY];
  for (const file of [site.eventsParquet, site.rejectedParquet]) {
    // The whole row as text (the table alias is the row as a struct), searched for each secret.
    const conditions = secrets.map((s) => `contains(CAST(row AS VARCHAR), ${sqlString(s)})`);
    const reader = await duckdb.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(file)}) AS row WHERE ${conditions.join(" OR ")}`);
    assert.equal(Number(reader.getRows()[0][0]), 0, file);
  }
});

test("no page, script, style or data file of the built site names a CDN or font host", async () => {
  const site = await sampleSite();
  // The .wasm is DuckDB's compiled engine: it carries its default extension address, which the
  // workbook switches off (autoload and autoinstall); the browser tests see no request leave.
  const files = (await readdir(site.dist, {recursive: true, withFileTypes: true}))
    .filter((e) => e.isFile() && !e.name.endsWith(".wasm"))
    .map((e) => join(e.parentPath, e.name));
  assert.ok(files.some((f) => /duckdb-wasm\.[0-9a-f]+\.js$/.test(f)), "the DuckDB-WASM module is among them");
  const found: string[] = [];
  for (const file of files) {
    const match = /jsdelivr|unpkg\.com|esm\.sh|fonts\.googleapis|fonts\.gstatic|extensions\.duckdb\.org/i.exec((await readFile(file)).toString("latin1"));
    if (match) found.push(`${file}: ${match[0]}`);
  }
  assert.deepEqual(found, []);
});
