// A GeoLite2 download or install that failed for a reason the user can act on; the message is
// complete and already free of the license key, so the command prints it alone.
import {redactLicenseKey} from "./license-key.js";

export class GeoIpUpdateError extends Error {
  override name = "GeoIpUpdateError";
  /** Redacts `license_key=…` itself; pass the key to redact literal occurrences as well. */
  constructor(message: string, licenseKey: string | null = null) {
    super(redactLicenseKey(message, licenseKey));
  }
}
