// The parser against Filebeat's apache module tests: real lines with the fields another tool
// extracted, mapped to our column names (test/fixtures/peer-suites).
import assert from "node:assert/strict";
import {test} from "node:test";
import type {ParsedLine} from "../../data-loaders/event.js";
import {lineParserFor} from "../../data-loaders/parse/formats.js";
import {isParseError} from "../../data-loaders/parse/log-format.js";
import {fixtureLines} from "../fixtures.js";

interface PeerCase {
  format: string;
  input: string;
  expected: Record<string, unknown>;
  note?: string;
}

const cases: PeerCase[] = fixtureLines("peer-suites/apache-access-filebeat.jsonl").map((line) => JSON.parse(line));

// The enrichment owns these; test/enrich checks them.
const ENRICHMENT_FIELDS = new Set(["browser", "os_family"]);
const PARSER_FIELDS = new Set<string>([
  "ts", "vhost", "client_ip", "ident", "auth_user", "method", "url", "path", "query", "protocol", "status", "bytes",
  "referrer", "referrer_host", "user_agent", "server_port", "duration_us", "bytes_received", "bytes_sent",
] satisfies (keyof ParsedLine)[]);

test("the peer suite has its 9 cases, and every expected field is one the parser or the enrichment owns", () => {
  assert.equal(cases.length, 9);
  for (const peer of cases) {
    for (const column of Object.keys(peer.expected)) assert.ok(PARSER_FIELDS.has(column) || ENRICHMENT_FIELDS.has(column), `unknown column ${column}`);
  }
});

for (const [i, peer] of cases.entries()) {
  test(`peer case ${i + 1} (${peer.format}): ${peer.note ?? peer.input.slice(0, 60)}`, () => {
    const parsed = lineParserFor(peer.format).parse(peer.input);
    if (isParseError(parsed)) assert.fail(`did not parse: ${parsed.error}`);
    let compared = 0;
    for (const [column, value] of Object.entries(peer.expected)) {
      if (!PARSER_FIELDS.has(column)) continue;
      const actual: unknown = parsed[column as keyof ParsedLine];
      if (column === "ts") assert.equal(actual, Date.parse(value as string), `ts: ${new Date(actual as number).toISOString()} vs ${value}`);
      else assert.equal(actual, value, column);
      compared++;
    }
    assert.ok(compared >= 4, "the case compares fields");
  });
}
