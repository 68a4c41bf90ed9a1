// The host a referrer points at, for "where do visitors come from" tables.

/**
 * "https://user@www.Example.com:8443/a?b" → "www.example.com", "http://[2001:db8::1]/" → "2001:db8::1";
 * null when the referrer is not a URL with a scheme and a host ("-", "about:blank", "/relative").
 */
export function referrerHost(referrer: string | null): string | null {
  if (referrer === null) return null;
  // Lines often repeat the line before's referrer (three fifths of the real log's): its host is
  // the one found last, without the scan and the lower-cased copy.
  if (referrer === lastReferrer) return lastHost;
  lastHost = hostOf(referrer);
  lastReferrer = referrer;
  return lastHost;
}

let lastReferrer: string | null = null;
let lastHost: string | null = null;

function hostOf(referrer: string): string | null {
  const slashes = referrer.indexOf("://");
  if (slashes < 1 || !isScheme(referrer, slashes)) return null;
  let start = slashes + 3;
  let end = start;
  // The authority ends at the first / ? # (or the end); user info before an @ is not the host.
  for (let c = referrer.charCodeAt(end); end < referrer.length && c !== 47 && c !== 63 && c !== 35; c = referrer.charCodeAt(++end)) {
    if (c === 64) start = end + 1;
  }
  if (referrer.charCodeAt(start) === 91) {
    const close = referrer.indexOf("]", start);
    return close < 0 || close > end ? null : referrer.slice(start + 1, close).toLowerCase() || null;
  }
  const colon = referrer.indexOf(":", start);
  if (colon >= 0 && colon < end) end = colon;
  return end > start ? referrer.slice(start, end).toLowerCase() : null;
}

/** RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
function isScheme(text: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (i === 0 ? !letter : !(letter || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return false;
  }
  return true;
}
