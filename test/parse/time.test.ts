// Apache's %t read with arithmetic, checked against Date.UTC over many instants and offsets.
import assert from "node:assert/strict";
import {test} from "node:test";
import {civilToMillis, parseApacheTime} from "../../data-loaders/parse/time.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** `ms` written as Apache would in a zone `offsetMinutes` east of UTC, built with Date's own calendar. */
function apacheTime(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${two(local.getUTCDate())}/${MONTHS[local.getUTCMonth()]}/${local.getUTCFullYear()}:${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
}

test("+0530: local midnight-thirty is UTC midnight", () => {
  assert.equal(parseApacheTime("24/Nov/2026:05:30:00 +0530", 0), Date.parse("2026-11-24T00:00:00Z"));
});

test("negative offsets move the instant forward, across a year boundary", () => {
  assert.equal(parseApacheTime("31/Dec/2026:20:00:00 -0700", 0), Date.parse("2027-01-01T03:00:00Z"));
  assert.equal(parseApacheTime("31/Dec/2026:23:59:59 -0930", 0), Date.parse("2027-01-01T09:29:59Z"));
});

test("read in place, at any index of a longer line", () => {
  assert.equal(parseApacheTime("x [10/Oct/2000:13:55:36 -0700] y", 3), Date.parse("2000-10-10T20:55:36Z"));
});

test("20,000 instants from 1970 to 2100 in zones from -1200 to +1400 round-trip exactly", () => {
  const offsets = [-720, -570, -420, -180, 0, 60, 330, 345, 525, 600, 780, 840];
  let seed = 7;
  const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < 20_000; i++) {
    const ms = Math.floor(next() * Date.UTC(2100, 0, 1) / 1000) * 1000;
    const offset = offsets[i % offsets.length];
    const text = apacheTime(ms, offset);
    assert.equal(parseApacheTime(text, 0), ms, text);
  }
});

test("leap years: 29 Feb exists in 2000 and 2024, not in 1900 or 2025", () => {
  assert.equal(parseApacheTime("29/Feb/2000:00:00:00 +0000", 0), Date.UTC(2000, 1, 29));
  assert.equal(parseApacheTime("29/Feb/2024:12:00:00 +0000", 0), Date.UTC(2024, 1, 29, 12));
  assert.equal(parseApacheTime("29/Feb/1900:00:00:00 +0000", 0), null);
  assert.equal(parseApacheTime("29/Feb/2025:00:00:00 +0000", 0), null);
  assert.equal(civilToMillis(2025, 2, 28, 23, 59, 60, 0), Date.UTC(2025, 2, 1), "a leap second rolls over, as strftime writes it");
});

test("anything else is null: short, wrong separators, letters, out of range", () => {
  for (const text of [
    "", "24/Nov/2026:05:30:00", "24/Nov/2026:05:30:00 +053", "24-Nov-2026:05:30:00 +0530", "24/Nov/2026 05:30:00 +0530",
    "24/NOV/2026:05:30:00 +0530", "00/Nov/2026:05:30:00 +0530", "31/Nov/2026:05:30:00 +0530", "24/Nov/2026:05:60:00 +0530",
    "24/Nov/2026:05:30:61 +0530", "24/Nov/2026:05:30:00 +0560", "24/Nov/2026:05:30:00 *0530", "2x/Nov/2026:05:30:00 +0530",
  ]) {
    assert.equal(parseApacheTime(text, 0), null, text);
  }
});
