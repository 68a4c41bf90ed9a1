// The published key names: a day and its version in, the same day and version out; anything
// else under the prefix is not ours.
import assert from "node:assert/strict";
import {test} from "node:test";
import {parsePublishedKey, publishedKey, tableLocation} from "../../data-loaders/publish/layout.js";
import {UNDATED} from "../../data-loaders/store/manifest.js";

test("a day file's key says its day (undated too) and version, and nothing else parses", () => {
  for (const day of ["2023-05-14", UNDATED]) {
    const key = publishedKey("weblog/events/", day, "0123456789abcdef");
    assert.equal(key, `weblog/events/day=${day}/events-0123456789abcdef.parquet`);
    assert.deepEqual(parsePublishedKey("weblog/events/", key), {key, day, version: "0123456789abcdef"});
    assert.equal(parsePublishedKey("other/", key), null, "under another prefix");
  }
  assert.deepEqual(parsePublishedKey("", "day=2023-05-14/events-0123456789abcdef.parquet")?.day, "2023-05-14");
  for (const foreign of ["weblog/events/_SUCCESS", "weblog/events/day=2023-05-14/part-0000.parquet", "weblog/events/day=2023-5-14/events-0123456789abcdef.parquet", "weblog/events/x/day=2023-05-14/events-0123456789abcdef.parquet"]) {
    assert.equal(parsePublishedKey("weblog/events/", foreign), null, foreign);
  }
  assert.equal(tableLocation({bucket: "lake", prefix: "weblog/events/"}), "s3://lake/weblog/events/");
});
