// One HTTP download into memory with the failures MaxMind's endpoint actually produces turned into
// messages a user can act on. Global fetch follows MaxMind's redirect to its storage host.
import {GeoIpUpdateError} from "./errors.js";
import {redactLicenseKey} from "./license-key.js";

export interface DownloadOptions {
  /** Abort when no response, or no further bytes, arrive for this long. */
  idleTimeoutMs?: number;
  /** Abort when the whole download takes longer than this, however steadily it flows. */
  totalTimeoutMs?: number;
  /** A GeoLite2 City archive is some 40 MB; anything far larger is not what we asked for. */
  maxBytes?: number;
}

export interface Downloaded {
  bytes: Buffer;
  lastModified: string | null;
}

const DEFAULTS: Required<DownloadOptions> = {
  idleTimeoutMs: 30_000,
  totalTimeoutMs: 10 * 60_000,
  maxBytes: 512 * 1024 * 1024,
};

/** Characters of an error response body quoted in the message. */
const BODY_EXCERPT = 200;

/**
 * GETs `url` (which carries the license key) and returns its body. `what` names the file for
 * messages ("the GeoLite2-City archive"). Every error is a GeoIpUpdateError with the key redacted.
 */
export async function downloadBytes(url: URL, what: string, licenseKey: string, options: DownloadOptions = {}): Promise<Downloaded> {
  const {idleTimeoutMs, totalTimeoutMs, maxBytes} = {...DEFAULTS, ...options};
  const host = url.host;
  const idle = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const rearm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), idleTimeoutMs);
  };
  const signal = AbortSignal.any([idle.signal, AbortSignal.timeout(totalTimeoutMs)]);
  const fail = (message: string) => new GeoIpUpdateError(message, licenseKey);
  const abortMessage = () =>
    idle.signal.aborted
      ? `downloading ${what} from ${host} stalled: nothing arrived for ${seconds(idleTimeoutMs)}`
      : `downloading ${what} from ${host} took longer than ${seconds(totalTimeoutMs)}`;

  rearm();
  try {
    let response: Response;
    try {
      response = await fetch(url, {signal, redirect: "follow", headers: {"user-agent": "weblog-workbook (geoip update)"}});
    } catch (error) {
      throw signal.aborted ? fail(abortMessage()) : fail(`could not reach ${host} to download ${what}: ${networkReason(error)}`);
    }
    if (!response.ok) throw fail(await statusMessage(response, url, what, licenseKey));

    const chunks: Uint8Array[] = [];
    let length = 0;
    try {
      const declared = Number(response.headers.get("content-length"));
      if (declared > maxBytes) throw fail(tooLarge(what, host, declared, maxBytes));
      if (response.body !== null) {
        const reader = response.body.getReader();
        for (;;) {
          rearm();
          const {done, value} = await reader.read();
          if (done) break;
          length += value.byteLength;
          if (length > maxBytes) {
            await reader.cancel();
            throw fail(tooLarge(what, host, length, maxBytes));
          }
          chunks.push(value);
        }
      }
    } catch (error) {
      if (error instanceof GeoIpUpdateError) throw error;
      throw signal.aborted ? fail(abortMessage()) : fail(`the connection to ${host} broke while downloading ${what}: ${networkReason(error)}`);
    }
    return {bytes: Buffer.concat(chunks, length), lastModified: response.headers.get("last-modified")};
  } finally {
    clearTimeout(timer);
  }
}

async function statusMessage(response: Response, url: URL, what: string, licenseKey: string): Promise<string> {
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  const from = new URL(response.url || url.href).host;
  const body = await bodyExcerpt(response, licenseKey);
  const said = body ? `; the server said: "${body}"` : "";
  if ((response.status === 401 || response.status === 403) && from !== url.host) {
    // MaxMind checked the key and redirected; the storage host's refusal is an expired link, not a bad key.
    return `${from}, where ${url.host} redirected the download of ${what}, refused it (${status})${said}; run the command again`;
  }
  if (response.status === 401 || response.status === 403) {
    return (
      `MaxMind rejected the license key (${status} from ${from} for ${what})${said}. ` +
      `Check MAXMIND_LICENSE_KEY or "geoip.licenseKey": it must be an active key of a MaxMind account with GeoLite2 access ` +
      `(https://www.maxmind.com/en/accounts/current/license-key); a new key can take a few minutes to work`
    );
  }
  if (response.status === 429) {
    const retryAfter = response.headers.get("retry-after");
    return (
      `MaxMind rate limited the download of ${what} (${status} from ${from})${said}. ` +
      `GeoLite2 accounts may download each database only so many times a day; try again ${retryAfter ? `after ${retryAfter}${/^\d+$/.test(retryAfter) ? " s" : ""}` : "later"}`
    );
  }
  // The URL is shown for a wrong WEBLOG_GEOIP_DOWNLOAD_URL; redaction takes the key out.
  return `downloading ${what} failed: ${status} from ${from} (${url.href})${said}`;
}

async function bodyExcerpt(response: Response, licenseKey: string): Promise<string> {
  try {
    const text = (await response.text()).replace(/\s+/g, " ").trim();
    const excerpt = text.length > BODY_EXCERPT ? `${text.slice(0, BODY_EXCERPT)}…` : text;
    return redactLicenseKey(excerpt, licenseKey);
  } catch {
    return "";
  }
}

/** fetch reports "fetch failed" and hides the reason in `cause`: an errno code, a TLS or DNS error. */
function networkReason(error: unknown): string {
  const cause = (error as {cause?: unknown}).cause;
  const inner = (cause ?? error) as {code?: unknown; message?: unknown};
  const code = typeof inner.code === "string" ? inner.code : null;
  const message = typeof inner.message === "string" ? inner.message : String(inner);
  const hint = code === "ENOTFOUND" || code === "EAI_AGAIN" ? " (the host name did not resolve: check the network or DNS)" : "";
  return code && !message.includes(code) ? `${code}: ${message}${hint}` : `${message}${hint}`;
}

function tooLarge(what: string, host: string, bytes: number, maxBytes: number): string {
  return `${what} from ${host} is larger than ${maxBytes} bytes (${bytes} so far); that is not a GeoLite2 archive`;
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}
