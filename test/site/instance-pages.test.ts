// Which log streams get an instance page (data-loaders/log-streams.ts): a stream name becomes the
// page's path and file name, and stream names come from whoever configured the CloudWatch agent.
import assert from "node:assert/strict";
import {test} from "node:test";
import {instancePages} from "../../data-loaders/log-streams.js";

test("EC2 instance ids, host names and IP addresses get a page under their own name", () => {
  const streams = ["i-02e3ca004943e0f26", "ip-10-0-1-17.ap-south-1.compute.internal", "10.0.1.17", "web_1"];
  const pages = instancePages(streams);
  assert.deepEqual(pages.withPage, streams);
  assert.deepEqual(pages.withoutPage, []);
  assert.equal(pages.warning, null);
});

test("names unsafe as a path get no page, and a warning names them, escaped", () => {
  const unsafe = ["../../etc/passwd", "apache/access_log", "a b", "?x=1", "#frag", "%2e%2e", ".hidden", "x".repeat(129), "évian", "<script>alert(1)</script>", "\x1b[31mred", ""];
  const pages = instancePages(["i-0abc", ...unsafe]);
  assert.deepEqual(pages.withPage, ["i-0abc"]);
  assert.deepEqual(pages.withoutPage, unsafe);
  assert.match(pages.warning!, /^weblog: 12 log streams have no instance page/);
  assert.match(pages.warning!, /"\.\.\/\.\.\/etc\/passwd", "apache\/access_log", "a b", "\?x=1", "#frag", …/);
  // Five at most, so a flood of odd names makes one readable line.
  assert.doesNotMatch(pages.warning!, /%2e/);
});

test("a name's control characters never reach the terminal", () => {
  const pages = instancePages(["\x1b[31mred\x07", "line\nbreak"]);
  assert.ok(!/[\x00-\x1f\x7f]/.test(pages.warning!), pages.warning!);
  assert.match(pages.warning!, /"\\u001b\[31mred\\u0007", "line\\u000abreak"/);
});
