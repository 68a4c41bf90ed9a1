// `npm run dev`: the live workbook. `weblog watch` keeps the store in step with the bucket and
// drops the site's cached data for the days that changed; `observable preview` re-runs the
// loaders it needs and updates the open pages. Ctrl-C stops both. Extra arguments go to the
// preview (`npm run dev -- --port 4000 --no-open`).
import {spawn, type ChildProcess} from "node:child_process";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {exited, frameworkEnv, startPreview} from "../data-loaders/framework.js";
import {bundleLibraries} from "./bundle-libraries.js";

const toolsDir = resolve(fileURLToPath(import.meta.url), "../..");

export interface LiveWorkbook {
  watch: ChildProcess;
  preview: ChildProcess;
  /** Stops both; resolves when both have exited. */
  stop(): Promise<void>;
}

/** Starts `weblog watch` and `observable preview` in `projectDir`; their output goes to `stdio`. */
export function startLiveWorkbook(projectDir: string, {env = process.env, previewArgs = [] as string[], stdio = "inherit" as "inherit" | "pipe"} = {}): LiveWorkbook {
  const watch = spawn(process.execPath, [join(toolsDir, "bin/weblog.js"), "watch"], {cwd: projectDir, env: frameworkEnv(env), stdio: ["ignore", stdio, stdio]});
  const preview = startPreview(projectDir, {env, previewArgs, stdio});
  return {
    watch,
    preview,
    async stop() {
      for (const child of [watch, preview]) if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      await Promise.all([exited(watch), exited(preview)]);
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleLibraries();
  const live = startLiveWorkbook(process.cwd(), {previewArgs: process.argv.slice(2)});
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    void live.stop().then(() => process.exit(code));
  };
  process.once("SIGINT", () => stop(0));
  process.once("SIGTERM", () => stop(0));
  // Without a bucket (no weblog.config.json yet) the watch ends at once; the preview goes on with
  // what the store holds, so pages can still be written and checked.
  live.watch.once("exit", (code) => {
    if (!stopping) console.error(`weblog watch ended (exit ${code}); the preview goes on with the data already in the store`);
  });
  live.preview.once("exit", (code) => stop(code ?? 1));
}
