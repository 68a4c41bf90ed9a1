// The progress of a long sync (data-loaders/cli/progress.ts): one line updated in place on a
// terminal, plain lines now and then elsewhere.
import assert from "node:assert/strict";
import {PassThrough} from "node:stream";
import {test} from "node:test";
import {createProgressLine, describeProgress} from "../../data-loaders/cli/progress.js";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk) => (text += chunk));
  return {stream, text: () => text};
}

test("the line says objects read of planned, events per second and time left", () => {
  assert.equal(describeProgress({objectsDone: 250, objectsTotal: 1000, events: 250_000}, 10_000), "sync: 250 of 1,000 objects read, 25,000 events/s, about 30 s left");
  assert.equal(describeProgress({objectsDone: 100, objectsTotal: 10_000, events: 100_000}, 1_000), "sync: 100 of 10,000 objects read, 100,000 events/s, about 1 min 39 s left");
  assert.equal(describeProgress({objectsDone: 1000, objectsTotal: 1000, events: 1_000_000}, 20_000), "sync: 1,000 of 1,000 objects read, 50,000 events/s");
  // Before a second has passed a rate means nothing.
  assert.equal(describeProgress({objectsDone: 3, objectsTotal: 1000, events: 3000}, 200), "sync: 3 of 1,000 objects read");
});

test("on a terminal: one line redrawn with \\r, messages above it, a line break at the end", () => {
  let clock = 0;
  const out = capture();
  const progress = createProgressLine(out.stream, {isTTY: true, redrawMs: 200, now: () => clock});
  progress.update({objectsDone: 0, objectsTotal: 4, events: 0});
  clock = 100;
  progress.update({objectsDone: 1, objectsTotal: 4, events: 1000}); // too soon: not drawn
  clock = 1500;
  progress.update({objectsDone: 2, objectsTotal: 4, events: 2000});
  progress.log("committed 2 objects");
  clock = 1600;
  progress.update({objectsDone: 4, objectsTotal: 4, events: 4000}); // the last is always drawn
  progress.end();
  assert.equal(
    out.text(),
    "\rsync: 0 of 4 objects read\x1b[K" +
      "\rsync: 2 of 4 objects read, 1,333 events/s, about 2 s left\x1b[K" +
      "\r\x1b[Kcommitted 2 objects\n" +
      "\rsync: 2 of 4 objects read, 1,333 events/s, about 2 s left\x1b[K" +
      "\rsync: 4 of 4 objects read, 2,500 events/s\x1b[K\n",
  );
});

test("not on a terminal: a plain line now and then, no \\r, no escape codes", () => {
  let clock = 0;
  const out = capture();
  const progress = createProgressLine(out.stream, {isTTY: false, plainEveryMs: 10_000, now: () => clock});
  for (let i = 0; i <= 100; i++) {
    clock = i * 250;
    progress.update({objectsDone: i, objectsTotal: 100, events: i * 1000});
  }
  progress.log("committed 100 objects");
  progress.end();
  const lines = out.text().split("\n").filter((l) => l !== "");
  assert.deepEqual(lines, [
    "sync: 0 of 100 objects read",
    "sync: 40 of 100 objects read, 4,000 events/s, about 15 s left",
    "sync: 80 of 100 objects read, 4,000 events/s, about 5 s left",
    "committed 100 objects",
  ]);
  assert.doesNotMatch(out.text(), /[\r\x1b]/);
});
