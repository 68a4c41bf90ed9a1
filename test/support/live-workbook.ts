// The workbook as an analyst runs it live (`npm run dev`: weblog watch + observable preview) in a
// copy of the project, against a local S3 endpoint holding the sample; plus a way to land a new
// S3 sink object in the bucket and time how long the open page takes to show its rows.
import {mkdtemp, rm} from "node:fs/promises";
import {createServer} from "node:net";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import type {Page} from "playwright-core";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {refreshSiteData} from "../../data-loaders/site-loaders.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {syncStore} from "../../data-loaders/sync.js";
import {demoEnvironment, DEMO_BUCKET} from "../../scripts/demo.js";
import {startLiveWorkbook, type LiveWorkbook} from "../../scripts/dev.js";
import {LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3} from "../../scripts/local-s3.js";
import {copyProject} from "./sample-site.js";

export interface LiveSetup {
  url: string;
  client: S3Client;
  config: WeblogConfig;
  /** The preview's output so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the live workbook with the bucket filled by `fill` and synced once, polling every
 * `pollSeconds`. Resolves when the preview answers.
 */
export async function startLiveSetup(fill: (client: S3Client, config: WeblogConfig) => Promise<void>, {pollSeconds = 1} = {}): Promise<LiveSetup> {
  const dir = await mkdtemp(join(tmpdir(), "weblog-live-"));
  const project = await copyProject(join(dir, "project"));
  let s3: LocalS3 | undefined;
  let live: LiveWorkbook | undefined;
  try {
    s3 = await startLocalS3({port: 0});
    const env = {...process.env, ...demoEnvironment(s3.endpoint, join(dir, "store")), WEBLOG_POLL_SECONDS: String(pollSeconds)};
    Object.assign(process.env, LOCAL_S3_CREDENTIALS);
    const config = loadConfig(project, env);
    const client = createS3Client(config.source);
    await fill(client, config);
    await syncStore(config, {client});
    await refreshSiteData(project, config.store, config.site);

    const port = await freePort();
    live = startLiveWorkbook(project, {env, previewArgs: ["--host", "127.0.0.1", "--port", String(port), "--no-open"], stdio: "pipe"});
    // Framework colours its log when the CI variable is set (picocolors does), even into a pipe;
    // the tests read the log as plain text.
    let output = "";
    const append = (chunk: Buffer) => (output += chunk);
    for (const child of [live.watch, live.preview]) {
      child.stdout!.on("data", append);
      child.stderr!.on("data", append);
    }
    const url = `http://127.0.0.1:${port}/`;
    await waitForServer(url, () => withoutColour(output));
    const started = {s3, live};
    return {
      url,
      client,
      config,
      output: () => withoutColour(output),
      async stop() {
        client.destroy();
        await started.live.stop();
        await started.s3.stop();
        await rm(dir, {recursive: true, force: true});
      },
    };
  } catch (error) {
    await live?.stop();
    await s3?.stop();
    await rm(dir, {recursive: true, force: true});
    throw error;
  }
}

/** `text` without the terminal's colour and style codes. */
function withoutColour(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/** Puts one S3 sink object of `lines` (Apache lines as CloudWatch records) for `instance`, at `offset`. */
export async function landObject(client: S3Client, instance: string, offset: number, lines: readonly string[]): Promise<string> {
  const topic = `cloudwatchLogsEC2.${instance}`;
  const key = `topics/${topic}/year=2023/${topic}+0+${String(offset).padStart(10, "0")}.json`;
  const body = lines.map((message, i) => JSON.stringify({logGroupName: "cloudwatchLogsEC2", logStreamName: instance, timestamp: Date.now() + i, message})).join("\n");
  await client.send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: body}));
  return key;
}

/** The Overview's request count as shown on the page, or null while it is not drawn. */
export async function shownRequests(page: Page): Promise<number | null> {
  const text = await page.locator('[data-metric="requests"]').first().textContent({timeout: 1000}).catch(() => null);
  if (text === null) return null;
  const n = Number(text.replace(/[^\d]/g, ""));
  return text.trim() === "" || Number.isNaN(n) ? null : n;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

async function waitForServer(url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`the preview did not answer at ${url}:\n${output()}`);
}
