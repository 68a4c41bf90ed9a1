// Bundles the `weblog` command (data-loaders/cli/main.ts and the library it imports) into
// JavaScript under bin/bundle/, so a command starts without compiling TypeScript. Run by
// `npm ci`/`npm install` (the prepare script) and by `npm run build:cli`. The packages a sync loads
// on its threads are bundled in (BUNDLED_PACKAGES); the others load from node_modules. Split at
// each command's dynamic import, so `weblog parse` loads neither the AWS SDK nor DuckDB. The
// worker threads of `weblog parse` start from an entry of their own, parse-worker.mjs, beside
// main.mjs, a sync's S3 reader thread from read-worker.mjs and its writer thread from write-worker.mjs.
// Beside the bundle, its inputs: bin/weblog.js runs the bundle only while none of them is newer.
import {rm, writeFile} from "node:fs/promises";
import {relative, resolve} from "node:path";
import {build, type Plugin} from "esbuild";

const projectDir = resolve(import.meta.dirname, "..");
const BUNDLE_DIR = resolve(projectDir, "bin/bundle");

/**
 * The packages a sync loads on each of its three threads (the AWS SDK, DuckDB's API, GeoLite2's
 * reader, the user-agent parsers), bundled in with every package they import: loaded from
 * node_modules, each thread read their hundreds of CommonJS files and scanned each for its
 * exports, about a quarter of a second of CPU on the writer thread alone (docs/design-notes.md,
 * "Ingest, eleventh round"). The rest load from node_modules: those only other commands use
 * (Framework, esbuild, tsx) and NATIVE_PACKAGES.
 */
const BUNDLED_PACKAGES = ["@aws-sdk/client-s3", "@smithy/signature-v4", "@duckdb/node-api", "maxmind", "ua-parser-js", "isbot"];
/** Native code, which finds its library beside it in node_modules, even where a bundled package imports it. */
const NATIVE_PACKAGES = ["@duckdb/node-bindings"];

/** A bare import's package: "@scope/name" or "name". */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Packages bundled as BUNDLED_PACKAGES says; esbuild keeps Node's own modules external by itself. */
const bundledPackages: Plugin = {
  name: "bundled-packages",
  setup(bundler) {
    bundler.onResolve({filter: /^[^./]/}, ({path, importer}) => {
      const name = packageOf(path);
      if (name.startsWith("node:") || NATIVE_PACKAGES.includes(name)) return {external: true};
      const fromBundledPackage = importer.split(/[\\/]/).includes("node_modules");
      return fromBundledPackage || BUNDLED_PACKAGES.includes(name) ? undefined : {external: true};
    });
  },
};

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
  plugins: [bundledPackages],
  // The bundled CommonJS packages require Node's own modules, which an ES module has no `require` for.
  banner: {js: 'import {createRequire as createRequireOfBundle} from "node:module"; const require = createRequireOfBundle(import.meta.url);'},
  metafile: true,
  logLevel: "warning",
});
// Paths relative to the bundle's directory, where the launcher reads them. Written last: a bundle
// without its inputs list is never run.
// The packages' own files are left out: npm ci and npm install bundle again after changing them.
const inputs = Object.keys(result.metafile.inputs)
  .filter((input) => !input.split("/").includes("node_modules"))
  .map((input) => relative(BUNDLE_DIR, resolve(projectDir, input)));
await writeFile(resolve(BUNDLE_DIR, "inputs.json"), JSON.stringify(inputs));
console.log(`bundled the weblog command into ${relative(projectDir, BUNDLE_DIR)}/ from ${inputs.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s`);
