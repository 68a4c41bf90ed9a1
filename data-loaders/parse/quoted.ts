// Where a quoted field ends. Apache escapes `"` inside values as `\"`, so the first unescaped quote
// usually closes the field; nginx logs some values raw, and newer LogFormats append fields, so
// the quote must also be followed by what the format says comes next.

/**
 * Index of the quote that closes a quoted field starting at `from`, or -1: a quote not escaped by
 * a backslash and followed by `after` (the format's literal after the closing quote). When the
 * field is the format's last (`last`), what follows must be the end of the line or whole extra
 * fields a newer LogFormat appended (` "-"`), not the rest of a value holding a raw quote.
 */
export function closingQuote(line: string, from: number, after: string, last: boolean): number {
  for (let at = line.indexOf('"', from); at >= 0; at = line.indexOf('"', at + 1)) {
    let backslashes = 0;
    for (let b = at - 1; b >= from && line.charCodeAt(b) === 92; b--) backslashes++;
    if (backslashes % 2 === 1) continue;
    if (!last) {
      if (line.startsWith(after, at + 1)) return at;
      continue;
    }
    if (at + 1 === line.length) return at;
    const next = line.charCodeAt(at + 1);
    // The length cap keeps a line full of quotes linear: a real extra field is short.
    if ((next === 32 || next === 9 || next === 13) && line.length - at < 1024 && EXTRA_FIELDS.test(line.slice(at + 1))) return at;
  }
  return -1;
}

/** True when a quote not escaped by a backslash follows `from`: the field was closed, if badly, not cut short. */
export function hasUnescapedQuote(line: string, from: number): boolean {
  for (let at = line.indexOf('"', from); at >= 0; at = line.indexOf('"', at + 1)) {
    let backslashes = 0;
    for (let b = at - 1; b >= from && line.charCodeAt(b) === 92; b--) backslashes++;
    if (backslashes % 2 === 0) return true;
  }
  return false;
}

/** Whitespace-separated fields, quoted or bare, and nothing else. Alternatives never overlap, so it cannot backtrack badly. */
const EXTRA_FIELDS = /^(?:[ \t]+(?:"(?:[^"\\]|\\.)*"|[^\s"]+))*[ \t\r]*$/;
