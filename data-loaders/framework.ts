// Running Observable Framework on a copy of the workbook's project: `observable build` and
// `observable preview`, with the environment its .ts loaders need. `npm run build`, `npm run dev`
// and `weblog report` all go through here.
import {execFile, spawn, type ChildProcess} from "node:child_process";
import {join} from "node:path";
import {PACKAGE_DIR} from "./package-dir.js";

export {PACKAGE_DIR};
const BIN = join(PACKAGE_DIR, "node_modules/.bin");

/**
 * `env` for Framework: its telemetry off, and the package's commands on PATH. Its .ts loaders run
 * as `node --import tsx` (observablehq.config.ts), tsx found in the project's node_modules.
 */
export function frameworkEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {...env, OBSERVABLE_TELEMETRY_DISABLE: "true", PATH: `${BIN}:${env.PATH ?? ""}`};
}

/** Starts `observable preview` in `projectDir`; its output goes to `stdio`. */
export function startPreview(projectDir: string, {env = process.env, previewArgs = [] as string[], stdio = "inherit" as "inherit" | "pipe"} = {}): ChildProcess {
  return spawn(join(BIN, "observable"), ["preview", ...previewArgs], {cwd: projectDir, env: frameworkEnv(env), stdio: ["ignore", stdio, stdio]});
}

/** Runs `observable build` in `projectDir` (into its dist/); on failure, throws with the end of its output. */
export function buildSite(projectDir: string, {env = process.env} = {}): Promise<void> {
  return new Promise((done, fail) => {
    execFile(join(BIN, "observable"), ["build"], {cwd: projectDir, env: frameworkEnv(env), maxBuffer: 64 << 20}, (error, stdout, stderr) => {
      if (!error) return done();
      const output = `${stdout}\n${stderr}`.replace(/\x1b\[[0-9;]*m/g, "").trim().split("\n").slice(-20).join("\n");
      fail(new Error(`the site's build (observable build) failed:\n${output}`));
    });
  });
}

/** Starts `observable build` in `projectDir`, its output on this process's; resolves with its exit code. */
export function runObservableBuild(projectDir: string, {env = process.env} = {}): Promise<number> {
  const child = spawn(join(BIN, "observable"), ["build"], {cwd: projectDir, env: frameworkEnv(env), stdio: ["ignore", "inherit", "inherit"]});
  return new Promise((done, fail) => child.on("error", fail).on("close", (code) => done(code ?? 1)));
}

/** Resolves once `child` has exited. */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((done) => child.once("exit", () => done()));
}
