// The local S3 endpoint in a process of its own, so that its work and memory are not counted as
// the benchmark's. Holds an empty bucket folder under `dir`; the benchmark lands its own objects.
import {spawn} from "node:child_process";
import {once} from "node:events";
import {mkdtemp} from "node:fs/promises";
import {join, resolve} from "node:path";

const projectDir = resolve(import.meta.dirname, "..");

export async function startLocalS3Process(dir: string): Promise<{endpoint: string; stop(): Promise<void>}> {
  const empty = await mkdtemp(join(dir, "empty-"));
  const child = spawn(join(projectDir, "node_modules/.bin/tsx"), [join(projectDir, "scripts/local-s3.ts"), empty], {env: {...process.env, PORT: "0"}, stdio: ["ignore", "pipe", "inherit"]});
  let output = "";
  child.stdout!.setEncoding("utf8");
  const endpoint = await new Promise<string>((done, fail) => {
    child.stdout!.on("data", (chunk: string) => {
      output += chunk;
      const match = /endpoint (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match) done(match[1]);
    });
    child.once("exit", (code) => fail(new Error(`the local S3 endpoint exited with ${code}: ${output}`)));
  });
  return {
    endpoint,
    async stop() {
      child.kill("SIGINT");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}
