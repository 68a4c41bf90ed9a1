// Opens the enrichment the configuration asks for: GeoLite2 City (the configured file, the copy
// `weblog geoip update` keeps, or the bundled sample build) and the optional ASN database.
import {existsSync} from "node:fs";
import {join} from "node:path";
import type {WeblogConfig} from "../config.js";
import type {GeoFields, UserAgentFields} from "../event.js";
import {bundledGeoLite2City} from "./bundled-geolite2.js";
import {openGeoIp, type GeoIp} from "./geoip.js";
import {createUserAgentClassifier} from "./user-agent.js";

export interface Enrichment {
  geo(clientIp: string | null): GeoFields;
  userAgent(userAgent: string | null): UserAgentFields;
  geoip: GeoIp;
}

export const CITY_DATABASE_FILE = "GeoLite2-City.mmdb";
export const ASN_DATABASE_FILE = "GeoLite2-ASN.mmdb";

/**
 * A GeoLite2 database that is missing or unreadable does not stop a sync: events go in without
 * location (the Geography page says so), and `warn` says which file and why.
 */
export async function openEnrichment(config: WeblogConfig, warn: (message: string) => void = console.error): Promise<Enrichment> {
  const paths = await geoIpPaths(config);
  let geoip: GeoIp;
  try {
    geoip = await openGeoIp(paths);
  } catch (error) {
    warn(`warning: GeoLite2 unavailable, events get no location: ${(error as Error).message}`);
    geoip = await openGeoIp({city: null, asn: null});
  }
  const userAgent = createUserAgentClassifier();
  return {geo: (ip) => geoip.lookup(ip), userAgent, geoip};
}

/** Which databases to use: configured paths first, then `weblog geoip update`'s copies, then the bundled City build. */
export async function geoIpPaths(config: WeblogConfig): Promise<{city: string; asn: string | null}> {
  const managedCity = join(config.geoip.directory, CITY_DATABASE_FILE);
  const managedAsn = join(config.geoip.directory, ASN_DATABASE_FILE);
  const city = config.geoip.cityDatabase ?? (existsSync(managedCity) ? managedCity : await bundledGeoLite2City(config.geoip.directory));
  const asn = config.geoip.asnDatabase ?? (existsSync(managedAsn) ? managedAsn : null);
  return {city, asn};
}
