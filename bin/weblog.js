#!/usr/bin/env node
// The `weblog` command. It runs the bundle `npm ci` makes (scripts/bundle-cli.ts), which starts in
// a fraction of the time TypeScript takes to compile, while no file it was made from has changed
// since; otherwise (someone editing the library) it compiles the TypeScript with tsx as it loads,
// so an edit is never run stale. `npm run build:cli` makes the bundle current again.
import {readFileSync, statSync} from "node:fs";
import module from "node:module";

// Node 22.1 and later keep V8's compiled code of each module on disk (under the OS temp directory)
// and reuse it while the file is unchanged: less start-up CPU for every command. On Node 20 there is
// no such call, and a cache that cannot be written is only not used.
module.enableCompileCache?.();

const bundle = new URL("./bundle/main.mjs", import.meta.url);

if (isBundleCurrent()) {
  await import(bundle.href);
} else {
  const {register} = await import("tsx/esm/api");
  register();
  await import("../data-loaders/cli/main.ts");
}

/** True when the bundle exists and is at least as new as each file it was made from (some 80 stats). */
function isBundleCurrent() {
  try {
    const built = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(new URL("./bundle/inputs.json", import.meta.url), "utf8"));
    return inputs.every((input) => statSync(new URL(input, bundle)).mtimeMs <= built);
  } catch {
    // No bundle, or an input gone (renamed, deleted): the TypeScript is the truth.
    return false;
  }
}
