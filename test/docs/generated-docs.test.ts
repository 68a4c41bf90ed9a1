// The documented columns and tables are the ones the code writes: docs/data-dictionary.md and the
// table of tables in docs/writing-pages.md are what `npm run docs` makes from the code now.
import assert from "node:assert/strict";
import {readFile} from "node:fs/promises";
import {join} from "node:path";
import {test} from "node:test";
import {dataDictionaryMarkdown, DOCS_DIR, writingPagesMarkdown} from "../../scripts/data-dictionary.js";
import {siteTables} from "../../data-loaders/site-data.js";

test("docs/data-dictionary.md is generated from the event columns", async () => {
  assert.equal(await readFile(join(DOCS_DIR, "data-dictionary.md"), "utf8"), dataDictionaryMarkdown(), "run npm run docs");
});

test("docs/writing-pages.md tables every rollup view the browser makes, as the code defines it", async () => {
  const text = await readFile(join(DOCS_DIR, "writing-pages.md"), "utf8");
  assert.equal(text, writingPagesMarkdown(text), "run npm run docs");
  for (const view of Object.keys(siteTables().rollupViews)) assert.match(text, new RegExp(`\\| \`${view}\` \\|`), `${view} is documented`);
});
