// The MaxMind license key: where it must come from, and the rule that it never appears in a message.
import {ConfigError, type WeblogConfig} from "../config.js";

/** The key from the configuration, or a ConfigError that says how to set one and where to get one. */
export function requireLicenseKey(config: WeblogConfig): string {
  if (config.geoip.licenseKey) return config.geoip.licenseKey;
  throw new ConfigError(
    `no MaxMind license key: downloading GeoLite2 needs one. Set the MAXMIND_LICENSE_KEY environment variable ` +
      `or "geoip.licenseKey" in weblog.config.json. GeoLite2 accounts and keys are free: sign up at ` +
      `https://www.maxmind.com/en/geolite2/signup, then create a key at https://www.maxmind.com/en/accounts/current/license-key. ` +
      `Or set "geoip.cityDatabase" to a GeoLite2-City.mmdb you already have (docs/configuration.md).`,
  );
}

const LICENSE_KEY_PARAMETER = /(license_key=)[^&#\s"'<>]*/gi;
export const REDACTED = "REDACTED";

/**
 * `text` with every `license_key=…` query value replaced, and, when the key is known, every literal
 * occurrence of it too (a server may echo it back in an error page, encoded or not).
 */
export function redactLicenseKey(text: string, licenseKey: string | null = null): string {
  let redacted = text.replace(LICENSE_KEY_PARAMETER, `$1${REDACTED}`);
  // Short keys would redact ordinary words; MaxMind keys are 40 characters.
  if (licenseKey !== null && licenseKey.length >= 6) {
    for (const form of new Set([licenseKey, encodeURIComponent(licenseKey)])) redacted = redacted.split(form).join(REDACTED);
  }
  return redacted;
}
