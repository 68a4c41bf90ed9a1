// The parser against Filebeat's apache module tests: real lines with the fields another tool
// extracted, mapped to our column names (../shared/data/peer-suites).
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import type {ParsedLine} from "../../data-loaders/event.js";
import {lineParserFor} from "../../data-loaders/parse/formats.js";
import {isParseError} from "../../data-loaders/parse/log-format.js";
import {PROJECT_DIR} from "../support/sample-site.js";

interface PeerCase {
  format: string;
  input: string;
  expected: Record<string, unknown>;
  note?: string;
}

const SUITE = join(PROJECT_DIR, "../shared/data/peer-suites/apache-access-filebeat.jsonl");
const cases: PeerCase[] = readFileSync(SUITE, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
// The enrichment owns these; test/enrich checks them.
const NOT_THE_PARSERS = new Set(["browser", "os_family"]);

test("the peer suite has its cases", () => assert.ok(cases.length >= 9));

for (const [i, peer] of cases.entries()) {
  test(`peer case ${i + 1} (${peer.format}): ${peer.note ?? peer.input.slice(0, 60)}`, () => {
    const parsed = lineParserFor(peer.format).parse(peer.input);
    assert.ok(!isParseError(parsed), `did not parse: ${isParseError(parsed) ? parsed.error : ""}`);
    for (const [column, value] of Object.entries(peer.expected)) {
      if (NOT_THE_PARSERS.has(column)) continue;
      const actual: unknown = (parsed as ParsedLine)[column as keyof ParsedLine];
      if (column === "ts") assert.equal(new Date(actual as number).toISOString(), new Date(value as string).toISOString(), column);
      else assert.equal(actual, value, column);
    }
  });
}
