// `%r`: "GET /path?query HTTP/1.1" → method, url, path, query, protocol.

export interface RequestLine {
  method: string | null;
  /** The request target exactly as logged. */
  url: string | null;
  path: string | null;
  query: string | null;
  protocol: string | null;
}

/**
 * Splits a request line into `into`. Real logs hold more than well-formed requests:
 * - `-` (the client closed the connection before sending one, status 408): all null;
 * - `GET /index.html` (HTTP/0.9 style, or a line cut short): protocol null;
 * - spaces inside the target (`GET /a b HTTP/1.1`): the target is everything between method and protocol;
 * - bytes that are not HTTP at all, such as a TLS handshake sent to the plain-HTTP port
 *   (`\x16\x03\x01…`, status 400): method, path, query and protocol null, and url keeps the raw
 *   logged text. Not a target, strictly, but dropping it would hide the most common probe there is;
 *   kept in url, the Security page can find and count it, while path (what traffic tables group
 *   by) stays null so it never reads as a page.
 */
export function splitRequestLine(raw: string, into: RequestLine): void {
  into.method = into.url = into.path = into.query = into.protocol = null;
  if (raw === "-" || raw === "") return;
  const firstSpace = raw.indexOf(" ");
  if (firstSpace < 0 || !isMethod(raw, firstSpace)) {
    into.url = raw;
    return;
  }
  into.method = raw.slice(0, firstSpace);
  const lastSpace = raw.lastIndexOf(" ");
  if (lastSpace > firstSpace && isProtocol(raw, lastSpace + 1)) {
    into.url = raw.slice(firstSpace + 1, lastSpace);
    into.protocol = raw.slice(lastSpace + 1);
  } else {
    into.url = raw.slice(firstSpace + 1);
  }
  splitTarget(into.url, into);
}

/** Path before the first `?`, query after it (null when there is no `?`). */
export function splitTarget(url: string, into: {path: string | null; query: string | null}): void {
  const mark = url.indexOf("?");
  into.path = mark < 0 ? url : url.slice(0, mark);
  into.query = mark < 0 ? null : url.slice(mark + 1);
}

/**
 * Where an unquoted `%r` that starts at `at` ends, when fields are separated by `separator`: the
 * request line has spaces of its own, so it is read as a method, a target and, when the next
 * word is one, a protocol; `-` or a word that is not a method stands alone.
 */
export function bareRequestEnd(line: string, at: number, separator: string): number {
  const wordEnd = (from: number) => {
    const end = line.indexOf(separator, from);
    return end < 0 ? line.length : end;
  };
  const methodEnd = wordEnd(at);
  if (methodEnd === line.length || !isMethod(line, methodEnd, at)) return methodEnd;
  const targetEnd = wordEnd(methodEnd + separator.length);
  if (targetEnd === line.length) return targetEnd;
  const protocolStart = targetEnd + separator.length;
  return isProtocol(line, protocolStart, wordEnd(protocolStart)) ? wordEnd(protocolStart) : targetEnd;
}

/** An HTTP method token: upper-case letters, digits, `_` and `-`, starting with a letter. */
function isMethod(text: string, end: number, start = 0): boolean {
  if (end === start) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (i > start && ((c >= 48 && c <= 57) || c === 95 || c === 45)))) return false;
  }
  return true;
}

/** `HTTP/` followed by a version (`1.1`, `2`, `2.0`; case-insensitive, as servers log what was sent). */
function isProtocol(text: string, start: number, end = text.length): boolean {
  if (end - start < 6 || text.charCodeAt(start + 4) !== 47) return false;
  if ((text.charCodeAt(start) | 0x20) !== 104 || (text.charCodeAt(start + 1) | 0x20) !== 116) return false;
  if ((text.charCodeAt(start + 2) | 0x20) !== 116 || (text.charCodeAt(start + 3) | 0x20) !== 112) return false;
  for (let i = start + 5; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c === 46 && i > start + 5))) return false;
  }
  return true;
}
