// The host a referrer points at, for "where do visitors come from" tables.

const SCHEME_HOST = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i;

/** "https://www.Example.com:8443/a?b" → "www.example.com"; null when the referrer is not a URL with a host. */
export function referrerHost(referrer: string | null): string | null {
  if (referrer === null) return null;
  const match = SCHEME_HOST.exec(referrer);
  if (!match || match[1] === "") return null;
  return match[1].toLowerCase();
}
