// Local wall-clock time in an IANA time zone ("Europe/Berlin") turned into UTC, for logs whose
// `%{…}t` writes the server's local time with no offset. The zone rules come from the runtime's
// Intl (ICU's copy of the tz database): no dependency, and daylight saving time is right.
//
// Twice a year a local time is not one instant. The rule, as Temporal's "compatible" and
// java.time's ZonedDateTime.of take it:
// - a time that happens twice (clocks go back, 02:30 in Berlin on the last Sunday of October) is
//   the first of the two, still on summer time;
// - a time that never happens (clocks go forward, 02:30 on the last Sunday of March) is moved
//   forward by the length of the gap (03:30 summer time, one hour after 01:30 winter time).
// Both come down to: the offset in force just before the change.

const MINUTE = 60_000;
const DAY = 86_400_000;

/** True when the runtime knows `name` as a time zone. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", {timeZone: name});
    return true;
  } catch {
    return false;
  }
}

/**
 * A function from local time in `timeZone` to UTC, both as epoch milliseconds (the local time
 * written as if it were UTC). Throws a RangeError for a zone the runtime does not know.
 */
export function localTimeToUtc(timeZone: string): (localMs: number) => number {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
  });
  /** Milliseconds the zone is ahead of UTC at `instant`. */
  const offsetAt = (instant: number): number => {
    const fields: Record<string, number> = {};
    for (const part of format.formatToParts(instant)) if (part.type !== "literal") fields[part.type] = Number(part.value);
    const wall = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
    return wall - (instant - (((instant % 1000) + 1000) % 1000));
  };
  // Offsets change on minute boundaries, and log lines come in time order: most lines fall in
  // the minute before them, so one remembered minute saves nearly every Intl call.
  let cachedMinute = NaN;
  let cachedOffset = 0;
  return (localMs) => {
    const minute = Math.floor(localMs / MINUTE);
    if (minute !== cachedMinute) {
      cachedMinute = minute;
      cachedOffset = offsetFor(minute * MINUTE, offsetAt);
    }
    return localMs - cachedOffset;
  };
}

/** The offset that turns local time `local` into UTC, by the rule above. */
function offsetFor(local: number, offsetAt: (instant: number) => number): number {
  // No zone changes its offset twice within two days, so the offsets a day either side are the
  // only candidates; a candidate holds when the instant it gives has that offset.
  const before = offsetAt(local - DAY);
  const after = offsetAt(local + DAY);
  const fits = [before, after].filter((offset) => offsetAt(local - offset) === offset);
  // Two fit: the time happens twice; the first instant is the one with the larger offset.
  if (fits.length > 0) return Math.max(...fits);
  // None fits: the time is in a gap; the offset before it moves it forward.
  return before;
}
