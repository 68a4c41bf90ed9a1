// %{…}t with no offset is the servers' local time: read in the configured IANA zone, right across
// daylight saving changes, and refused at compile time (not per line) when no zone is set.
import assert from "node:assert/strict";
import {test} from "node:test";
import {lineParserFor} from "../../data-loaders/parse/formats.js";
import {isParseError, TimeZoneRequiredError} from "../../data-loaders/parse/log-format.js";
import {isTimeZone, localTimeToUtc} from "../../data-loaders/parse/time-zone.js";

const APACHE_LOCAL = '%h %l %u [%{%d/%b/%Y:%H:%M:%S}t] "%r" %>s %b';

function tsOf(line: string, timeZone: string, format = APACHE_LOCAL): string | null {
  const parsed = lineParserFor(format, {timeZone}).parse(line);
  if (isParseError(parsed)) assert.fail(parsed.error);
  return parsed.ts === null ? null : new Date(parsed.ts).toISOString();
}

const at = (time: string) => `10.0.0.1 - - [${time}] "GET / HTTP/1.1" 200 5`;

test("without a time zone a local-time format is refused when compiled, naming the setting", () => {
  assert.throws(() => lineParserFor(APACHE_LOCAL), (error: Error) => {
    assert.ok(error instanceof TimeZoneRequiredError);
    assert.equal(
      error.message,
      'log format: %{%d/%b/%Y:%H:%M:%S}t writes the servers\' local time with no UTC offset; set "timeZone" in weblog.config.json (or WEBLOG_TIME_ZONE) to their IANA time zone, e.g. "Europe/Berlin" or "UTC"',
    );
    return true;
  });
  // A date split over directives is still local time: each directive is named.
  assert.throws(() => lineParserFor("%h %{%Y-%m-%d}t %{%T}t.%{msec_frac}t %>s"), /%\{%Y-%m-%d\}t %\{%T\}t %\{msec_frac\}t writes/);
});

test("formats that carry their own offset, an epoch or no date need no time zone", () => {
  for (const format of ["combined", "%h %{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t %>s", "%h %{%Y-%m-%d %H:%M:%S %Z}t %>s", "%h %{sec}t %>s", "%h %{%H:%M:%S}t %>s", "%h %t %{%Y}t %>s"]) {
    assert.doesNotThrow(() => lineParserFor(format), format);
  }
  // And a configured zone never overrides the offset the line carries.
  assert.equal(tsOf("10.0.0.1 2026-07-01 12:00:00 +0000 200", "Europe/Berlin", "%h %{%Y-%m-%d %H:%M:%S %z}t %>s"), "2026-07-01T12:00:00.000Z");
});

test("local time in Europe/Berlin: winter +01:00, summer +02:00, milliseconds kept", () => {
  assert.equal(tsOf(at("15/Jan/2026:12:00:00"), "Europe/Berlin"), "2026-01-15T11:00:00.000Z");
  assert.equal(tsOf(at("15/Jul/2026:12:00:00"), "Europe/Berlin"), "2026-07-15T10:00:00.000Z");
  assert.equal(tsOf("10.0.0.1 2026-07-15 12:00:00.250 200", "Europe/Berlin", "%h %{%Y-%m-%d %H:%M:%S}t.%{msec_frac}t %>s"), "2026-07-15T10:00:00.250Z");
  assert.equal(tsOf(at("15/Jul/2026:12:00:00"), "America/New_York"), "2026-07-15T16:00:00.000Z");
  assert.equal(tsOf(at("15/Jul/2026:12:00:00"), "Asia/Kolkata"), "2026-07-15T06:30:00.000Z");
  assert.equal(tsOf(at("15/Jul/2026:12:00:00"), "UTC"), "2026-07-15T12:00:00.000Z");
});

test("spring forward (Berlin, 29 Mar 2026, 02:00 → 03:00): the skipped hour moves forward by the gap", () => {
  assert.equal(tsOf(at("29/Mar/2026:01:59:59"), "Europe/Berlin"), "2026-03-29T00:59:59.000Z");
  // 02:00–02:59 never happens on the clock; 02:30 is read as 03:30 summer time, like Temporal's "compatible".
  assert.equal(tsOf(at("29/Mar/2026:02:00:00"), "Europe/Berlin"), "2026-03-29T01:00:00.000Z");
  assert.equal(tsOf(at("29/Mar/2026:02:30:00"), "Europe/Berlin"), "2026-03-29T01:30:00.000Z");
  assert.equal(tsOf(at("29/Mar/2026:03:00:00"), "Europe/Berlin"), "2026-03-29T01:00:00.000Z");
  assert.equal(tsOf(at("29/Mar/2026:03:30:00"), "Europe/Berlin"), "2026-03-29T01:30:00.000Z");
});

test("fall back (Berlin, 25 Oct 2026, 03:00 → 02:00): a repeated time is the first of its two instants", () => {
  assert.equal(tsOf(at("25/Oct/2026:01:59:59"), "Europe/Berlin"), "2026-10-24T23:59:59.000Z");
  assert.equal(tsOf(at("25/Oct/2026:02:00:00"), "Europe/Berlin"), "2026-10-25T00:00:00.000Z");
  assert.equal(tsOf(at("25/Oct/2026:02:59:59"), "Europe/Berlin"), "2026-10-25T00:59:59.000Z");
  assert.equal(tsOf(at("25/Oct/2026:03:00:00"), "Europe/Berlin"), "2026-10-25T02:00:00.000Z");
});

test("other hemispheres and odd offsets: Sydney, Lord Howe's half-hour shift, Kathmandu", () => {
  // Sydney leaves summer time on 5 Apr 2026 at 03:00 (+11:00 → +10:00): 02:30 is the first, +11:00.
  assert.equal(tsOf(at("05/Apr/2026:02:30:00"), "Australia/Sydney"), "2026-04-04T15:30:00.000Z");
  assert.equal(tsOf(at("05/Apr/2026:03:30:00"), "Australia/Sydney"), "2026-04-04T17:30:00.000Z");
  // Lord Howe goes from +10:30 to +11:00 on 4 Oct 2026 at 02:00: 02:15 is skipped, moved 30 minutes on.
  assert.equal(tsOf(at("04/Oct/2026:02:15:00"), "Australia/Lord_Howe"), "2026-10-03T15:45:00.000Z");
  assert.equal(tsOf(at("04/Oct/2026:12:00:00"), "Asia/Kathmandu"), "2026-10-04T06:15:00.000Z");
});

test("every local minute of 2026 in three zones agrees with Intl's own rendering of the instant", () => {
  for (const timeZone of ["Europe/Berlin", "America/New_York", "Australia/Adelaide"]) {
    const toUtc = localTimeToUtc(timeZone);
    const render = new Intl.DateTimeFormat("en-US", {timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"});
    let skipped = 0;
    for (let local = Date.UTC(2026, 0, 1); local < Date.UTC(2027, 0, 1); local += 7 * 60_000) {
      const utc = toUtc(local);
      const parts = Object.fromEntries(render.formatToParts(utc).map((p) => [p.type, Number(p.value)]));
      const shown = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
      // A local time the clocks skip shows later than written, by the gap; every other one shows as written.
      if (shown !== local) {
        skipped++;
        assert.ok(shown > local && shown - local <= 3_600_000, `${timeZone} ${new Date(local).toISOString()}`);
      }
    }
    assert.ok(skipped > 0 && skipped <= 9, `${timeZone}: ${skipped} skipped minutes sampled`);
  }
});

test("time zone names are checked", () => {
  assert.equal(isTimeZone("Europe/Berlin"), true);
  assert.equal(isTimeZone("UTC"), true);
  assert.equal(isTimeZone("Europe/Berlinn"), false);
  assert.equal(isTimeZone("CEST+2"), false);
});
