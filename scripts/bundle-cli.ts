// Bundles the `weblog` command (data-loaders/cli/main.ts and the library it imports) into
// JavaScript under bin/bundle/, so a command starts without compiling TypeScript. Run by
// `npm ci`/`npm install` (the prepare script) and by `npm run build:cli`. Packages stay external:
// they load from node_modules as they would anyway (the native ones, DuckDB's, must). Split at
// each command's dynamic import, so `weblog parse` loads neither the AWS SDK nor DuckDB. The
// worker threads of `weblog parse` start from an entry of their own, parse-worker.mjs, beside
// main.mjs, a sync's S3 reader thread from read-worker.mjs and its writer thread from write-worker.mjs.
// Beside the bundle, its inputs: bin/weblog.js runs the bundle only while none of them is newer.
import {rm, writeFile} from "node:fs/promises";
import {relative, resolve} from "node:path";
import {build} from "esbuild";

const projectDir = resolve(import.meta.dirname, "..");
const BUNDLE_DIR = resolve(projectDir, "bin/bundle");

const started = performance.now();
// Chunks have content-hashed names: old ones would pile up.
await rm(BUNDLE_DIR, {recursive: true, force: true});
const result = await build({
  // Named, so each lands at the bundle's top level whatever folder its source is in.
  entryPoints: {
    main: resolve(projectDir, "data-loaders/cli/main.ts"),
    "parse-worker": resolve(projectDir, "data-loaders/cli/parse-worker.ts"),
    "read-worker": resolve(projectDir, "data-loaders/read-worker.ts"),
    "write-worker": resolve(projectDir, "data-loaders/store/write-worker.ts"),
  },
  outdir: BUNDLE_DIR,
  outExtension: {".js": ".mjs"},
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  metafile: true,
  logLevel: "warning",
});
// Paths relative to the bundle's directory, where the launcher reads them. Written last: a bundle
// without its inputs list is never run.
const inputs = Object.keys(result.metafile.inputs).map((input) => relative(BUNDLE_DIR, resolve(projectDir, input)));
await writeFile(resolve(BUNDLE_DIR, "inputs.json"), JSON.stringify(inputs));
console.log(`bundled the weblog command into ${relative(projectDir, BUNDLE_DIR)}/ from ${inputs.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s`);
