// The library (data-loaders/) is a pipeline that the site's thin loaders call, never the other way
// round: nothing in it imports from src/. What the pages share with it (the filter columns, the
// request classes, the Security page's patterns, …) is defined in data-loaders/contracts/ and
// reaches the browser as src/components/contracts.js, generated from there.
import assert from "node:assert/strict";
import {readdir, readFile} from "node:fs/promises";
import {dirname, join, relative, resolve, sep} from "node:path";
import {test} from "node:test";
import {PACKAGE_DIR} from "../../data-loaders/package-dir.js";

const LIBRARY = join(PACKAGE_DIR, "data-loaders");
const SITE = join(PACKAGE_DIR, "src");

/** Every module specifier a file names: static imports and re-exports, and dynamic imports. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) found.push(match[1]);
  return found;
}

test("nothing in data-loaders/ imports from src/", async () => {
  const files = (await readdir(LIBRARY, {recursive: true})).filter((name) => name.endsWith(".ts"));
  assert.ok(files.length > 50, `the library's modules are found (${files.length})`);
  const intoSite: string[] = [];
  for (const name of files) {
    const file = join(LIBRARY, name);
    for (const specifier of specifiers(await readFile(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      const target = resolve(dirname(file), specifier);
      if (target === SITE || target.startsWith(SITE + sep)) intoSite.push(`${relative(PACKAGE_DIR, file)} → ${specifier}`);
    }
  }
  assert.deepEqual(intoSite, []);
});
