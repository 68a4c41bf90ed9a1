// An object parsed on the reader thread (ingest-object.ts: SinkObjectParser, every record taken,
// only the values new since its last object sent) and added to this thread's batch with the
// ledger's answer (SinkObjectReceiver, addParsedSinkObject) gives the
// batch and the counts that parsing it here with that answer gives (ingestSinkObject): the same
// events, rejected lines, duplicates, stored offsets and key mismatch, and no dictionary value of
// a record left out. Checked with offsets taken in several shapes, with and without a key file,
// bad records, lines that are not UTF-8 and an object cut short.
import assert from "node:assert/strict";
import {test} from "node:test";
import {addParsedSinkObject, ingestSinkObject, SinkObjectParser, SinkObjectReceiver, type ObjectDamage, type SinkObjectName} from "../../data-loaders/ingest-object.js";
import {configuredInstanceParsers} from "../../data-loaders/parse/instance-formats.js";
import {connectKeyText, decodeKeyFile, type KeyFile} from "../../data-loaders/records/connect-key.js";
import {EventBatch} from "../../data-loaders/write/event-batch.js";
import {batchContents as contents} from "../support/batch-contents.js";

const GROUP = "cloudwatchLogsEC2";
const STREAM = "i-0elsewhere";
const TOPIC = `${GROUP}.${STREAM}`;
const parsers = () => configuredInstanceParsers({logFormat: "combined", logFormats: [], timeZone: null});

/** Record n: mostly log lines from a few clients, agents and referrers; every seventh is not a log line, one is not JSON. */
function record(n: number): string {
  if (n === 5) return "{not json";
  if (n % 7 === 3) return JSON.stringify(`not a log line ${n}`);
  const agent = ["curl/8", "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", `bot-${n}`][n % 3];
  const referrer = n % 4 === 0 ? "-" : `https://example.org/from/${n % 5}?q=${n}`;
  return JSON.stringify(`198.51.100.${n % 9} - ${n % 11 === 0 ? `user${n}` : "-"} [01/Jan/2025:10:00:${String(n % 60).padStart(2, "0")} +0000] "${n % 6 === 0 ? "POST" : "GET"} /page/${n}?x=${n % 3} HTTP/1.1" ${n % 13 === 0 ? 404 : 200} ${n} "${referrer}" "${agent}"`);
}

function keysText(start: number, count: number): string {
  return Array.from({length: count}, (_, i) => connectKeyText(GROUP, STREAM, Date.UTC(2025, 0, 1, 10) + start + i)).join("\n") + "\n";
}

/**
 * The same object into two batches that each hold an earlier object already: parsed here, and
 * parsed by one SinkObjectParser after the earlier one (so that it sends only the values new since)
 * then added. `generationValues`: the parser's, small to make it start its dictionaries again.
 */
function bothWays(text: string[], object: SinkObjectName, isTaken: (offset: number) => boolean, damage: ObjectDamage, keys: KeyFile | null, generationValues?: number) {
  const earlier: SinkObjectName = {key: "earlier.json", topic: TOPIC, partition: 0, startOffset: 0};
  const earlierText = [Array.from({length: 40}, (_, i) => record(i * 3)).join("\n") + "\n"];
  const here = new EventBatch();
  ingestSinkObject(earlierText, earlier, parsers(), here);
  const countsHere = ingestSinkObject(text, object, parsers(), here, isTaken, damage, keys);

  const parser = new SinkObjectParser(parsers(), generationValues);
  const receiver = new SinkObjectReceiver();
  const added = new EventBatch();
  addParsedSinkObject(receiver.receive(parser.parse(earlierText, earlier, {problem: null, invalidUtf8Lines: new Set()}, null).parsed), earlier, added, () => false);
  const received = receiver.receive(parser.parse(text, object, damage, keys).parsed);
  const countsAdded = addParsedSinkObject(received, object, added, isTaken);
  return {here: {counts: countsHere, ...contents(here)}, added: {counts: countsAdded, ...contents(added)}, received};
}

const START = 1000;
const RECORDS = 120;
const object: SinkObjectName = {key: `topics/${TOPIC}/year=2025/${TOPIC}+0+${String(START).padStart(10, "0")}.json`, topic: TOPIC, partition: 0, startOffset: START};
// Blank lines count no record: offsets follow the records, not the lines.
const lines = Array.from({length: RECORDS}, (_, i) => (i === 30 ? `${record(i)}\n` : record(i)));
const takenShapes: Record<string, (offset: number) => boolean> = {
  "none": () => false,
  "a run in the middle": (offset) => offset >= START + 20 && offset < START + 70,
  "the first half": (offset) => offset < START + RECORDS / 2,
  "every third": (offset) => offset % 3 === 0,
  "all": () => true,
};

for (const [shape, isTaken] of Object.entries(takenShapes)) {
  test(`offsets taken (${shape}): the same batch and counts, with a key file and without`, () => {
    const text = [lines.join("\n") + "\n"];
    for (const keys of [decodeKeyFile(Buffer.from(keysText(START, RECORDS))), null]) {
      const {here, added, received} = bothWays(text, object, isTaken, {problem: null, invalidUtf8Lines: new Set()}, keys);
      assert.deepEqual(added, here, keys === null ? "no key file" : "key file");
      assert.ok(received.parsed.parts.dictionaries.agents.length < received.dictionaries.values.agents.length, "only the agents new since the earlier object were sent");
      if (shape === "none") assert.equal(here.counts.duplicates, 0);
      else assert.ok(here.counts.duplicates > 0, "some records are duplicates");
      if (keys === null && shape !== "all") assert.match(here.counts.keyMismatch?.problem ?? "", /^no key file: \d+ events have no CloudWatch time/);
    }
  });
}

test("a line that is not UTF-8 and an object cut short: rejected the same way, the object's own row kept whatever is taken", () => {
  const text = [lines.slice(0, 60).join("\n") + "\n", lines.slice(60).join("\n") + "\n"];
  for (const isTaken of Object.values(takenShapes)) {
    const damage: ObjectDamage = {problem: "gzip data cut short (test)", invalidUtf8Lines: new Set([2, 45, 90])};
    const {here, added} = bothWays(text, object, isTaken, damage, null);
    assert.deepEqual(added, here);
    assert.ok(here.rejected.some((line) => line.line_number === 0 && line.s3_key === object.key), "the object's own row");
  }
});

test("a parser that starts its dictionaries again gives the same batch: the objects after refer to the new ones", () => {
  const text = [lines.join("\n") + "\n"];
  for (const generationValues of [1, 50]) {
    const {here, added, received} = bothWays(text, object, takenShapes["a run in the middle"], {problem: null, invalidUtf8Lines: new Set()}, null, generationValues);
    assert.deepEqual(added, here);
    assert.equal(received.parsed.dictionaries.generation, 1, "the second object starts a generation");
    assert.deepEqual(received.parsed.dictionaries.from, {clients: 0, agents: 0, urls: 0, referrers: 0, words: 0, eventIds: 0});
  }
});

test("values that do not follow the ones arrived are refused, not given the wrong ids", () => {
  const parser = new SinkObjectParser(parsers());
  const first = parser.parse([record(1) + "\n"], {...object, startOffset: 0}, {problem: null, invalidUtf8Lines: new Set()}, null).parsed;
  const second = parser.parse([record(2) + "\n"], {...object, startOffset: 1}, {problem: null, invalidUtf8Lines: new Set()}, null).parsed;
  assert.throws(() => new SinkObjectReceiver().receive(second), /follow \d+ values, but 0 have arrived/);
  const receiver = new SinkObjectReceiver();
  receiver.receive(first);
  assert.doesNotThrow(() => receiver.receive(second));
});
