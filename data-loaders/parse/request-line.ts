// `%r`: "GET /path?query HTTP/1.1" → method, url, path, query, protocol.

export interface RequestLine {
  method: string | null;
  /** The request target exactly as logged. */
  url: string | null;
  path: string | null;
  query: string | null;
  protocol: string | null;
}

const NO_REQUEST: RequestLine = {method: null, url: null, path: null, query: null, protocol: null};
const METHOD = /^[A-Z][A-Z0-9_-]*$/;
const PROTOCOL = /^HTTP\/\d(\.\d)?$/i;

/**
 * Splits a request line. Real logs hold more than well-formed requests:
 * - `-` (the client closed the connection before sending one, status 408): all null;
 * - `GET /index.html` (HTTP/0.9 style, or a line cut short): protocol null;
 * - spaces inside the target (`GET /a b HTTP/1.1`): the target is everything between method and protocol;
 * - bytes that are not HTTP at all, such as a TLS handshake sent to the plain-HTTP port
 *   (`\x16\x03\x01…`): method, path and protocol null, and url keeps the raw text, so the
 *   Security page can still find and count them.
 */
export function splitRequestLine(raw: string): RequestLine {
  if (raw === "-" || raw === "") return NO_REQUEST;
  const firstSpace = raw.indexOf(" ");
  const method = firstSpace < 0 ? raw : raw.slice(0, firstSpace);
  if (firstSpace < 0 || !METHOD.test(method)) return {method: null, url: raw, path: null, query: null, protocol: null};
  const lastSpace = raw.lastIndexOf(" ");
  let url: string;
  let protocol: string | null = null;
  const tail = raw.slice(lastSpace + 1);
  if (lastSpace > firstSpace && PROTOCOL.test(tail)) {
    url = raw.slice(firstSpace + 1, lastSpace);
    protocol = tail;
  } else {
    url = raw.slice(firstSpace + 1);
  }
  return {method, url, ...splitTarget(url), protocol};
}

/** Path before the first `?`, query after it (null when there is no `?`). */
export function splitTarget(url: string): {path: string; query: string | null} {
  const mark = url.indexOf("?");
  return mark < 0 ? {path: url, query: null} : {path: url.slice(0, mark), query: url.slice(mark + 1)};
}
