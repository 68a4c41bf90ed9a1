// What makes the site's files again: a change to what a rollup kind counts, never a change to the
// words the docs' table gives it (site-data.ts: siteFilesSignature, kindsSignature).
import assert from "node:assert/strict";
import {test} from "node:test";
import {kindsSignature, type RollupKind} from "../../data-loaders/site-data.js";

const path: RollupKind = {view: "requests_by_path", per: "day", by: {path: "path"}, counts: "path"};

test("rewording a kind for the docs leaves the signature as it was", () => {
  assert.equal(kindsSignature({path: {...path, counts: "the request's path, without its query string"}}), kindsSignature({path}));
});

test("what a kind counts by, where it counts and how often each change the signature", () => {
  const signatures = new Set([
    kindsSignature({path}),
    kindsSignature({path: {...path, by: {path: "lower(path)"}}}),
    kindsSignature({path: {...path, where: "status = 404"}}),
    kindsSignature({path: {...path, per: "hour"}}),
  ]);
  assert.equal(signatures.size, 4);
});

test("a kind's file order leaves the signature as it was: it lays out the blocks' files, not what the days count", () => {
  assert.equal(kindsSignature({path: {...path, fileOrder: "path"}}), kindsSignature({path}));
});
