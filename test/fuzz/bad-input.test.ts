// Bad input, generated: mutated real lines and records never throw, never hang, and every record
// of an object ends up exactly once as an event or a rejected line with a reason.
// Seeded, so a failure reproduces: FUZZ_SEED=… to explore other inputs.
import assert from "node:assert/strict";
import {test} from "node:test";
import {ingestSinkObject} from "../../data-loaders/ingest-object.js";
import {lineParserFor, NAMED_FORMATS} from "../../data-loaders/parse/formats.js";
import {everyInstance} from "../../data-loaders/parse/instance-formats.js";
import {isParseError} from "../../data-loaders/parse/log-format.js";
import {decodeSinkRecord} from "../../data-loaders/records/cloudwatch.js";
import {EventBatch} from "../../data-loaders/write/event-batch.js";
import {fixtureLines, REAL_LOG} from "../fixtures.js";
import {seededRandom} from "../../src/components/seeded-random.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const real = fixtureLines(REAL_LOG).slice(0, 500);


const NASTY = ['"', "\\", "[", "]", " ", "\t", "\u0000", "\u00e9", "\ud83d\ude00", "\ud800", "-", "%", "\\x", "\\x1", '\\"', "\r", "+0530]", "99999999999999999999"];

function mutate(line: string, next: () => number): string {
  let out = line;
  const edits = 1 + Math.floor(next() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (out.length + 1));
    const kind = next();
    if (kind < 0.3) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 10));
    else if (kind < 0.6) out = out.slice(0, at) + NASTY[Math.floor(next() * NASTY.length)] + out.slice(at);
    else if (kind < 0.8) out = out.slice(0, at);
    else out = out.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x2fff)) + out.slice(at);
  }
  return out;
}

test("mutated lines in every format: a parsed line or a reason, never an exception", () => {
  const next = seededRandom(SEED);
  const parsers = Object.keys(NAMED_FORMATS).map((format) => lineParserFor(format));
  let errors = 0;
  for (let i = 0; i < 20_000; i++) {
    const line = mutate(real[i % real.length], next);
    for (const parser of parsers) {
      const result = parser.parse(line);
      if (isParseError(result)) {
        errors++;
        assert.equal(typeof result.error, "string");
        assert.ok(result.error.length > 0);
      } else {
        assert.ok(result.status === null || (Number.isInteger(result.status) && result.status >= 0 && result.status <= 999));
        assert.ok(result.ts === null || Number.isFinite(result.ts));
        assert.ok(result.bytes === null || Number.isSafeInteger(result.bytes));
      }
    }
  }
  assert.ok(errors > 0, "the mutations did produce bad lines");
});

test("mutated records: decoded or refused with a reason", () => {
  const next = seededRandom(SEED + 1);
  for (let i = 0; i < 20_000; i++) {
    const record = mutate(JSON.stringify({logGroupName: "g", logStreamName: "s", timestamp: 1, message: real[i % real.length]}), next);
    const decoded = decodeSinkRecord(record);
    if ("error" in decoded) assert.ok(decoded.error.length > 0);
    else assert.equal(typeof decoded.message, "string");
  }
});

test("an object of mutated records: every record counted once, as an event or a rejection", () => {
  const next = seededRandom(SEED + 2);
  const records = real.map((line) => (next() < 0.5 ? mutate(JSON.stringify({message: line}), next) : JSON.stringify({message: mutate(line, next)})));
  // Blank lines are not records: the S3 sink never writes them, and they get no offset.
  const blanks = records.filter((r) => r.trim() === "").length;
  const batch = new EventBatch();
  const counts = ingestSinkObject(records.join("\n"), {key: "k", topic: "g.s", partition: 0, startOffset: 0}, everyInstance(lineParserFor("combined")), batch);
  assert.equal(counts.records, records.length - blanks);
  assert.equal(counts.events + counts.rejected, counts.records);
  assert.equal(batch.size, counts.events);
  assert.equal(batch.rejected.length, counts.rejected);
  for (const rejected of batch.rejected) assert.match(rejected.reason, /^(record|line): ./);
});

test("pathological lines finish quickly (no backtracking)", () => {
  const parser = lineParserFor("combined");
  const started = performance.now();
  for (const line of ['"'.repeat(200_000), "\\".repeat(200_000), `1.2.3.4 - - [${"[".repeat(100_000)}`, `1.2.3.4 - - [24/Nov/2026:10:00:00 +0000] "${'\\" '.repeat(50_000)}`]) {
    assert.ok(isParseError(parser.parse(line)));
  }
  // Not a timing assertion on the machine: a quadratic scan of these would take minutes, not seconds.
  assert.ok(performance.now() - started < 60_000);
});
