// Apache's %t (and nginx's $time_local): "10/Oct/2000:13:55:36 -0700" → epoch milliseconds, UTC.
// Read digit by digit in place and turned into days with arithmetic: a log has millions of these,
// and Date.parse (or even a Date per line) would be the slowest step of the parser.

/** Length of "10/Oct/2000:13:55:36 -0700". */
export const APACHE_TIME_LENGTH = 26;

const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** "Oct" packed as three char codes → 10 (1-based month). */
const MONTH_BY_CODES = new Map(MONTH_NAMES.map((name, i) => [monthKey(name, 0), i + 1]));

function monthKey(text: string, at: number): number {
  return (text.charCodeAt(at) << 16) | (text.charCodeAt(at + 1) << 8) | text.charCodeAt(at + 2);
}

/** The 1-based month whose English abbreviation starts at `at` ("Oct" → 10), or 0. */
export function monthAbbreviationAt(text: string, at: number): number {
  return MONTH_BY_CODES.get(monthKey(text, at)) ?? 0;
}

/**
 * The instant written at `at` as `dd/Mon/yyyy:HH:MM:SS ±hhmm`, with its UTC offset applied;
 * null when the text there is not in that form (or names a day that does not exist).
 */
export function parseApacheTime(text: string, at: number): number | null {
  if (text.length - at < APACHE_TIME_LENGTH) return null;
  if (text.charCodeAt(at + 2) !== 47 || text.charCodeAt(at + 6) !== 47 || text.charCodeAt(at + 11) !== 58) return null;
  if (text.charCodeAt(at + 14) !== 58 || text.charCodeAt(at + 17) !== 58 || text.charCodeAt(at + 20) !== 32) return null;
  const sign = text.charCodeAt(at + 21);
  if (sign !== 43 && sign !== 45) return null;
  const day = digitsAt(text, at, 2);
  const month = monthAbbreviationAt(text, at + 3);
  const year = digitsAt(text, at + 7, 4);
  const hour = digitsAt(text, at + 12, 2);
  const minute = digitsAt(text, at + 15, 2);
  const second = digitsAt(text, at + 18, 2);
  const offsetHours = digitsAt(text, at + 22, 2);
  const offsetMinutes = digitsAt(text, at + 24, 2);
  if (offsetHours < 0 || offsetMinutes < 0 || offsetMinutes > 59) return null;
  const offset = (sign === 45 ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return civilToMillis(year, month, day, hour, minute, second, offset);
}

/**
 * Milliseconds since the epoch of a local date and time `offsetMinutes` east of UTC; null when a
 * part is missing (negative) or out of range. Seconds may be 60 (a leap second, as strftime allows).
 */
export function civilToMillis(year: number, month: number, day: number, hour: number, minute: number, second: number, offsetMinutes: number): number | null {
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return null;
  const days = daysFromCivil(year, month, day);
  return ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60_000 + second * 1000;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** `count` decimal digits at `at` as a number, or -1 when one of them is not a digit. */
export function digitsAt(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}
