// The workbook's own folder (its package.json, src/, node_modules/), found from wherever this
// module runs: data-loaders/ as TypeScript, or bin/bundle/ once bundled for the `weblog` command,
// where a path relative to the module would point elsewhere.
import {existsSync} from "node:fs";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";

function packageDirAbove(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json in ${start} or any folder above it`);
  }
}

export const PACKAGE_DIR = packageDirAbove(dirname(fileURLToPath(import.meta.url)));
