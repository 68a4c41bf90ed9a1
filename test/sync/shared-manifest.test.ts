// The manifest the site's readers share within a process (store/manifest.ts: sharedManifest):
// parsed once while the file is the same, read again once a commit has put another in its place,
// and frozen so that one reader cannot change what the next one gets.
import assert from "node:assert/strict";
import {mkdtemp, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {emptyManifest, OutdatedStoreError, readManifest, sharedManifest, writeManifest, type Manifest} from "../../data-loaders/store/manifest.js";

const segment = (day: string) => ({kind: "events" as const, day, file: `events/day=${day}/s-${day}.parquet`, rows: 10, min_ts: Date.parse(day), max_ts: Date.parse(day) + 1000});

function manifestWith(days: string[]): Manifest {
  const manifest = emptyManifest();
  for (const day of days) manifest.segments[`s-${day}`] = segment(day);
  return manifest;
}

test("the shared manifest is parsed once while its file stays, and again once a commit replaces the file", async () => {
  const store = await mkdtemp(join(tmpdir(), "weblog-shared-manifest-"));
  try {
    assert.deepEqual(await sharedManifest(store), emptyManifest(), "no manifest yet: an empty store");
    await writeManifest(store, manifestWith(["2026-01-01"]));
    const first = await sharedManifest(store);
    assert.deepEqual(Object.keys(first.segments), ["s-2026-01-01"]);
    assert.equal(await sharedManifest(store), first, "the same object while the file is the same");

    await writeManifest(store, manifestWith(["2026-01-01", "2026-01-02"]));
    const second = await sharedManifest(store);
    assert.notEqual(second, first);
    assert.deepEqual(Object.keys(second.segments), ["s-2026-01-01", "s-2026-01-02"]);
    assert.deepEqual(second, await readManifest(store), "what a reader of its own gets");
  } finally {
    await rm(store, {recursive: true, force: true});
  }
});

test("a reader cannot change the shared manifest, nor anything in it", async () => {
  const store = await mkdtemp(join(tmpdir(), "weblog-shared-manifest-"));
  try {
    await writeManifest(store, manifestWith(["2026-01-01"]));
    const manifest = await sharedManifest(store);
    assert.throws(() => {
      manifest.segments["s-2026-01-01"].rows = 0;
    }, TypeError);
    assert.throws(() => {
      delete (manifest.segments as Record<string, unknown>)["s-2026-01-01"];
    }, TypeError);
    assert.equal((await sharedManifest(store)).segments["s-2026-01-01"].rows, 10);
  } finally {
    await rm(store, {recursive: true, force: true});
  }
});

test("a manifest of an earlier layout is refused by the shared reader as by the others", async () => {
  const store = await mkdtemp(join(tmpdir(), "weblog-shared-manifest-"));
  try {
    await writeFile(join(store, "manifest.json"), JSON.stringify({version: 2, objects: {}, segments: {}}));
    await assert.rejects(sharedManifest(store), OutdatedStoreError);
  } finally {
    await rm(store, {recursive: true, force: true});
  }
});
