// Apache's %t (and nginx's $time_local): "10/Oct/2000:13:55:36 -0700" → epoch milliseconds, UTC.
// Read digit by digit: a log has millions of these and Date.parse would be the slowest step.

const MONTHS: Record<string, number> = {Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11};

/** The instant `text` names, with its UTC offset applied; null when it is not in that form. */
export function parseApacheTime(text: string): number | null {
  // dd/Mon/yyyy:HH:MM:SS +hhmm, optionally with fractions of a second (%{…%f}t is rare; ignored here).
  if (text.length < 26 || text.charCodeAt(2) !== 47 || text.charCodeAt(6) !== 47 || text.charCodeAt(11) !== 58) return null;
  const day = twoDigits(text, 0);
  const month = MONTHS[text.slice(3, 6)];
  const year = twoDigits(text, 7) * 100 + twoDigits(text, 9);
  const hour = twoDigits(text, 12);
  const minute = twoDigits(text, 15);
  const second = twoDigits(text, 18);
  const sign = text.charCodeAt(21);
  const offsetHours = twoDigits(text, 22);
  const offsetMinutes = twoDigits(text, 24);
  if (month === undefined || text.charCodeAt(20) !== 32 || (sign !== 43 && sign !== 45)) return null;
  // NaN (a non-digit) fails no comparison, so it is checked on its own.
  if (Number.isNaN(day + year + hour + minute + second + offsetHours + offsetMinutes)) return null;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 || offsetMinutes > 59) return null;
  const offset = (sign === 45 ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return Date.UTC(year, month, day, hour, minute, second) - offset;
}

/** Two decimal digits at `at`, or NaN (which fails every range check above). */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  if (tens < 0 || tens > 9 || ones < 0 || ones > 9) return NaN;
  return tens * 10 + ones;
}
