// Every link from the README and docs/ to another file of the repository leads somewhere: the file
// exists, and a `#fragment` into a Markdown file names one of its headings, by GitHub's rule for
// heading anchors. The performance history moved out of the README with its links rewritten, and
// the design notes' headings change as sections are renamed: a reader following a link should
// land where the text says.
import assert from "node:assert/strict";
import {existsSync, readdirSync, readFileSync} from "node:fs";
import {dirname, join, relative} from "node:path";
import {test} from "node:test";
import {headingAnchors, relativeLinks} from "../support/markdown-links.js";

const ROOT = join(import.meta.dirname, "..", "..");
const DOCUMENTS = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => join("docs", name))];

test("every relative link in the README and docs/ names a file that exists and a heading in it", () => {
  const anchorsOf = new Map<string, Set<string>>();
  const broken: string[] = [];
  let checked = 0;
  for (const document of DOCUMENTS) {
    const source = join(ROOT, document);
    for (const link of relativeLinks(readFileSync(source, "utf8"))) {
      checked++;
      const target = link.path === "" ? source : join(dirname(source), link.path);
      if (!existsSync(target)) {
        broken.push(`${document}: ${link.text} (no file ${relative(ROOT, target)})`);
        continue;
      }
      if (link.fragment === null || !target.endsWith(".md")) continue;
      if (!anchorsOf.has(target)) anchorsOf.set(target, headingAnchors(readFileSync(target, "utf8")));
      if (!anchorsOf.get(target)!.has(link.fragment)) broken.push(`${document}: ${link.text} (no heading #${link.fragment} in ${relative(ROOT, target)})`);
    }
  }
  assert.ok(checked > 50, `only ${checked} links found: the link pattern no longer matches the documents`);
  assert.deepEqual(broken, []);
});

test("heading anchors follow GitHub's rule: lower case, punctuation dropped, spaces to hyphens, repeats numbered", () => {
  const anchors = headingAnchors(["# Weblog Workbook", "## A day's visits: only the new rows' visitors (issue 11)", "```sh", "# not a heading", "```", "### `weblog build`", "## Notes", "## Notes"].join("\n"));
  assert.deepEqual([...anchors], ["weblog-workbook", "a-days-visits-only-the-new-rows-visitors-issue-11", "weblog-build", "notes", "notes-1"]);
});

test("links are the relative ones, with the fragment apart, wrapped or not; web addresses and code are left out", () => {
  const links = relativeLinks(["See [the notes](docs/design-notes.md#measured-before), [a site](https://example.com/x#y),", "[this page](#quick-start) and `[not](a-link.md)`, [a link", "that wraps](docs/scaling.md).", "```", "[nor](this.md)", "```"].join("\n"));
  assert.deepEqual(
    links.map(({path, fragment}) => ({path, fragment})),
    [
      {path: "docs/design-notes.md", fragment: "measured-before"},
      {path: "", fragment: "quick-start"},
      {path: "docs/scaling.md", fragment: null},
    ],
  );
});
