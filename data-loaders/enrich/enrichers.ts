// Opens the enrichment the configuration asks for: GeoLite2 City (the configured file, the copy
// `weblog geoip update` keeps, or the bundled sample build) and the optional ASN database.
import {existsSync} from "node:fs";
import {join} from "node:path";
import type {WeblogConfig} from "../config.js";
import type {GeoFields, UserAgentFields} from "../event.js";
import {bundledGeoLite2City} from "./bundled-geolite2.js";
import {openGeoIp, readGeoIpShared, type GeoIp} from "./geoip.js";
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
export async function openEnrichment(config: WeblogConfig, warn: (message: string) => void = console.error, {shared = false}: {shared?: boolean} = {}): Promise<Enrichment> {
  const paths = await geoIpPaths(config);
  let geoip: GeoIp;
  try {
    // Shared: read into memory that another thread opens too (geoip.bytes), as a sync's writer thread does.
    geoip = await openGeoIp(paths, {bytes: shared ? await readGeoIpShared(paths) : undefined});
  } catch (error) {
    warn(`warning: GeoLite2 unavailable, events get no location: ${(error as Error).message}`);
    geoip = await openGeoIp({city: null, asn: null});
  }
  return enrichmentWith(geoip);
}

/** The enrichment of opened GeoLite2 readers, agents classified by the one set of rules (a sync's writer thread makes its own of the same files). */
export function enrichmentWith(geoip: GeoIp): Enrichment {
  return {geo: (ip) => geoip.lookup(ip), userAgent: createUserAgentClassifier(), geoip};
}

/** Where a database comes from; the site's footer names it, since the bundled build's licence differs. */
export type GeoDatabaseOrigin = "configured" | "downloaded" | "bundled";

export interface ChosenGeoDatabase {
  path: string;
  origin: GeoDatabaseOrigin;
}

/** Which databases to use: configured paths first, then `weblog geoip update`'s copies, then the bundled City build. */
export async function chooseGeoDatabases(config: WeblogConfig): Promise<{city: ChosenGeoDatabase; asn: ChosenGeoDatabase | null}> {
  const managedCity = join(config.geoip.directory, CITY_DATABASE_FILE);
  const managedAsn = join(config.geoip.directory, ASN_DATABASE_FILE);
  const city: ChosenGeoDatabase =
    config.geoip.cityDatabase !== null ? {path: config.geoip.cityDatabase, origin: "configured"}
    : existsSync(managedCity) ? {path: managedCity, origin: "downloaded"}
    : {path: await bundledGeoLite2City(config.geoip.directory), origin: "bundled"};
  const asn: ChosenGeoDatabase | null =
    config.geoip.asnDatabase !== null ? {path: config.geoip.asnDatabase, origin: "configured"}
    : existsSync(managedAsn) ? {path: managedAsn, origin: "downloaded"}
    : null;
  return {city, asn};
}

export async function geoIpPaths(config: WeblogConfig): Promise<{city: string; asn: string | null}> {
  const {city, asn} = await chooseGeoDatabases(config);
  return {city: city.path, asn: asn?.path ?? null};
}
