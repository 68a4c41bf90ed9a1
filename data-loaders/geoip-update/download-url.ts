// MaxMind's direct-download URLs for a GeoLite2 edition: the archive and its SHA-256 file.
import {ConfigError, type Environment} from "../config.js";

export const MAXMIND_DOWNLOAD_URL = "https://download.maxmind.com/app/geoip_download";

/** The editions `weblog geoip update` knows how to fetch and check. */
export type Edition = "GeoLite2-City" | "GeoLite2-ASN";

export type DownloadSuffix = "tar.gz" | "tar.gz.sha256";

/** MaxMind's endpoint, or WEBLOG_GEOIP_DOWNLOAD_URL (a mirror, or a local server in tests). */
export function downloadBaseUrl(env: Environment = process.env): string {
  const url = env.WEBLOG_GEOIP_DOWNLOAD_URL || MAXMIND_DOWNLOAD_URL;
  if (!/^https?:\/\//i.test(url)) throw new ConfigError(`WEBLOG_GEOIP_DOWNLOAD_URL must be an http(s) URL, found "${url}"`);
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`WEBLOG_GEOIP_DOWNLOAD_URL is not a valid URL: "${url}"`);
  }
  return url;
}

export function editionUrl(baseUrl: string, edition: Edition, licenseKey: string, suffix: DownloadSuffix): URL {
  const url = new URL(baseUrl);
  url.searchParams.set("edition_id", edition);
  url.searchParams.set("license_key", licenseKey);
  url.searchParams.set("suffix", suffix);
  return url;
}
