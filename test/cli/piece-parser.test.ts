// One thread's work in `weblog parse` (cli/piece-parser.ts): each piece's output comes in a buffer
// of its own, never written over while the caller holds it, and a buffer given back carries a
// later piece's output.
import assert from "node:assert/strict";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {createPieceParser, type ParseSettings} from "../../data-loaders/cli/piece-parser.js";
import {bundledGeoLite2City} from "../../data-loaders/enrich/bundled-geolite2.js";
import {fixtureLines, REAL_LOG} from "../fixtures.js";

test("a piece's output stays as it was until its buffer is given back, and a given-back buffer holds a later piece's output", async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), "weblog-piece-parser-"));
  try {
    const settings: ParseSettings = {format: "combined", timeZone: null, geoip: {city: await bundledGeoLite2City(join(cacheDir, "geoip")), asn: null}, geoipBytes: null, share: false};
    const lines = fixtureLines(REAL_LOG);
    const pieces = [lines.slice(0, 3000), lines.slice(3000, 6000), lines.slice(6000, 9000)].map((part) => Buffer.from(part.join("\n") + "\n"));
    // What a parser of its own makes of each piece, kept as a copy.
    const expected: Buffer[] = [];
    for (const piece of pieces) expected.push(Buffer.from((await createPieceParser(settings)).parse(piece, 1)));

    const parser = await createPieceParser(settings);
    const first = parser.parse(pieces[0], 1);
    const second = parser.parse(pieces[1], 1);
    assert.notEqual(first.buffer, second.buffer, "each output has a buffer of its own");
    assert.ok(Buffer.from(first).equals(expected[0]), "the first output, not written over by the second piece");
    assert.ok(Buffer.from(second).equals(expected[1]));
    // Each output's buffer is its own: it can be transferred to another thread.
    assert.equal(first.byteOffset, 0);
    parser.giveBack(first);
    const third = parser.parse(pieces[2], 1);
    assert.equal(third.buffer, first.buffer, "the given-back buffer is used again");
    assert.ok(Buffer.from(third).equals(expected[2]));
    assert.ok(Buffer.from(second).equals(expected[1]), "an output not given back is left alone");
  } finally {
    await rm(cacheDir, {recursive: true, force: true});
  }
});
