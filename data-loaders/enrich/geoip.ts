// GeoLite2 lookups: a client IP becomes country, first subdivision, city, location and time zone
// (a City database) and AS number and organisation (an ASN database, when one is configured).
import {open} from "node:fs/promises";
import {isIP} from "node:net";
import {availableParallelism} from "node:os";
import {Reader, type AsnResponse, type CityResponse} from "maxmind";
import type {GeoFields} from "../event.js";
import {createValueCache} from "./value-cache.js";

export interface GeoIpPaths {
  /** A City database (GeoLite2/GeoIP2 City; Country and Enterprise are accepted too), or null for none. */
  city: string | null;
  /** An ASN database (GeoLite2/GeoIP2 ASN, or GeoIP2 ISP), or null for none. */
  asn: string | null;
}

export interface DatabaseInfo {
  path: string;
  /** From the database's metadata, e.g. "GeoLite2-City". */
  databaseType: string;
  buildTime: Date;
}

export interface GeoIp {
  /** Never throws for bad input: host names, garbage, private and unknown addresses give NO_GEO. */
  lookup(ip: string | null): GeoFields;
  readonly city: DatabaseInfo | null;
  readonly asn: DatabaseInfo | null;
  /** The databases' bytes it was opened from (GeoIpOptions.bytes: readGeoIpShared's), for other threads to open the same; null when it read the files itself. */
  readonly bytes: GeoIpBytes | null;
}

export interface GeoIpOptions {
  /** Distinct client values remembered; 0 turns the cache off. */
  cacheSize?: number;
  /** The databases' bytes, already read (readGeoIpShared); the paths then only name them. */
  bytes?: GeoIpBytes;
}

/** The bytes of the databases of GeoIpPaths, each null where its path is. */
export interface GeoIpBytes {
  city: Uint8Array | null;
  asn: Uint8Array | null;
}

/**
 * Client addresses remembered. A busy site sees some 10⁵ distinct clients a day; each entry costs a few
 * hundred bytes, so this is tens of megabytes at most.
 */
export const DEFAULT_GEO_CACHE_SIZE = 200_000;

/**
 * Decoded database records remembered by their offset in the file, behind the per-address cache. A
 * City record carries names in eight languages and costs ~10 µs to decode; neighbouring clients share
 * records, and every record points at shared country and continent records, so on the bundled build
 * and the real test log this took first lookups from ~320k to ~1.8M a second. Some 5,000 entries
 * (a few MB) covered the 1,753 distinct clients of that log.
 */
const DECODED_RECORD_CACHE_SIZE = 10_000;

/** Longer than any host name (253) or address: not worth a cache entry, whatever a log format put there. */
const MAX_CLIENT_LENGTH = 255;

export const NO_GEO: Readonly<GeoFields> = Object.freeze({
  country_code: null,
  country: null,
  subdivision: null,
  city: null,
  latitude: null,
  longitude: null,
  time_zone: null,
  asn: null,
  as_org: null,
});

// Database types by the words of their metadata `database_type`. Country and Enterprise databases
// carry the same record layout as City (Country without the city parts); ISP carries the AS fields.
const CITY_DATABASE_TYPE = /(?:^|-)(?:City|Country|Enterprise)(?:-|$)/;
const ASN_DATABASE_TYPE = /(?:^|-)(?:ASN|ISP)(?:-|$)/;

export async function openGeoIp(paths: GeoIpPaths, options: GeoIpOptions = {}): Promise<GeoIp> {
  const city = paths.city === null ? null : await openDatabase<CityResponse>(paths.city, "City", CITY_DATABASE_TYPE, options.bytes?.city);
  const asn = paths.asn === null ? null : await openDatabase<AsnResponse>(paths.asn, "ASN", ASN_DATABASE_TYPE, options.bytes?.asn);
  const cache = createValueCache<GeoFields>(options.cacheSize ?? DEFAULT_GEO_CACHE_SIZE);

  function resolve(ip: string): GeoFields {
    const version = isIP(ip);
    if (version === 0) return NO_GEO;
    // Dual-stack listeners log IPv4 clients as ::ffff:a.b.c.d; an IPv4-only database knows them as a.b.c.d.
    const mapped = version === 6 && ip.slice(0, 7).toLowerCase() === "::ffff:" && isIP(ip.slice(7)) === 4;
    const address = mapped ? ip.slice(7) : ip;
    const isV6 = version === 6 && !mapped;
    const cityRecord = city === null ? null : lookupIn(city, address, isV6);
    const asnRecord = asn === null ? null : lookupIn(asn, address, isV6);
    if (cityRecord === null && asnRecord === null) return NO_GEO;
    return Object.freeze(geoFieldsFromRecords(cityRecord, asnRecord));
  }

  return {
    lookup(ip) {
      if (ip === null || ip.length > MAX_CLIENT_LENGTH) return NO_GEO;
      const cached = cache.get(ip);
      if (cached !== undefined) return cached;
      const fields = resolve(ip);
      cache.set(ip, fields);
      return fields;
    },
    city: city?.info ?? null,
    asn: asn?.info ?? null,
    bytes: options.bytes ?? null,
  };
}

/**
 * Our columns from a City and an ASN record, English names.
 *
 * `country` is deliberately not filled from `registered_country`. `country` is where MaxMind places
 * the client; `registered_country` is where the network's owner registered it. Where MaxMind has no
 * `country` the network is typically anycast or a cloud range (GeoLite2 gives 1.1.1.1 no country and
 * a registered country of AU), so the fallback would put visitors in the wrong place while looking
 * exactly like a real location. A null says "unknown", which is the truth.
 */
export function geoFieldsFromRecords(city: CityResponse | null, asn: AsnResponse | null): GeoFields {
  const location = city?.location;
  return {
    country_code: city?.country?.iso_code ?? null,
    country: city?.country?.names.en ?? null,
    subdivision: city?.subdivisions?.[0]?.names.en ?? null,
    city: city?.city?.names.en ?? null,
    latitude: location?.latitude ?? null,
    longitude: location?.longitude ?? null,
    time_zone: location?.time_zone ?? null,
    asn: asn?.autonomous_system_number ?? null,
    as_org: asn?.autonomous_system_organization ?? null,
  };
}

interface OpenDatabase<T extends CityResponse | AsnResponse> {
  reader: Reader<T>;
  info: DatabaseInfo;
}

function lookupIn<T extends CityResponse | AsnResponse>(database: OpenDatabase<T>, address: string, isV6: boolean): T | null {
  // An IPv4-only database cannot answer for IPv6 clients; its tree would be walked with the wrong bits.
  if (isV6 && database.reader.metadata.ipVersion === 4) return null;
  return database.reader.get(address);
}

const GZIP_MAGIC = [0x1f, 0x8b];
const METADATA_MARKER = Buffer.from("\xab\xcd\xefMaxMind.com", "latin1");
/** The MaxMind DB spec caps the metadata section at 128 KiB, and it sits at the end of the file. */
const METADATA_MAX_BYTES = 128 * 1024;

/**
 * The databases read into memory that threads share (a SharedArrayBuffer each), for openGeoIp's
 * `bytes` in every thread: GeoLite2 City is some 60 MB, which each worker of `weblog parse` read
 * again (40 ms of system CPU, and 60 MB more memory) before this.
 */
export async function readGeoIpShared(paths: GeoIpPaths): Promise<GeoIpBytes> {
  const [city, asn] = await Promise.all([paths.city === null ? null : readDatabaseFile(paths.city, "City", {shared: true}), paths.asn === null ? null : readDatabaseFile(paths.asn, "ASN", {shared: true})]);
  return {city, asn};
}

/**
 * Stretches of a database file read at once. Most of reading GeoLite2 City's 60 MB is the kernel
 * giving the process fresh memory page by page (fault by fault), which goes on in the thread that
 * reads: on the 2-core machine two stretches read side by side took 100 ms where one read took
 * 175 ms. More than the thread pool's four would only queue.
 */
const READ_STRETCHES = Math.min(4, availableParallelism());

/** A whole database file in memory, read a stretch per thread of the pool; shared: a SharedArrayBuffer's. */
async function readDatabaseFile(path: string, kind: "City" | "ASN", {shared}: {shared: boolean}): Promise<Uint8Array> {
  try {
    const file = await open(path);
    try {
      const size = (await file.stat()).size;
      const bytes = new Uint8Array(shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
      const stretch = Math.ceil(size / READ_STRETCHES);
      const stretches = await Promise.all(
        Array.from({length: READ_STRETCHES}, async (_, i) => {
          const end = Math.min(size, (i + 1) * stretch);
          let position = Math.min(size, i * stretch);
          while (position < end) {
            const {bytesRead} = await file.read(bytes, position, end - position, position);
            if (bytesRead === 0) break;
            position += bytesRead;
          }
          return {position, end};
        }),
      );
      // A file cut short while being read is seen as such by openDatabase's checks: the bytes end
      // where the first stretch came up short.
      const read = stretches.find(({position, end}) => position < end)?.position ?? size;
      return bytes.subarray(0, read);
    } finally {
      await file.close();
    }
  } catch (error) {
    throw new Error(`GeoIP ${kind} database ${path}: ${describeReadError(error)}`, {cause: error});
  }
}

async function openDatabase<T extends CityResponse | AsnResponse>(path: string, kind: "City" | "ASN", expectedType: RegExp, bytes?: Uint8Array | null): Promise<OpenDatabase<T>> {
  const what = `GeoIP ${kind} database ${path}`;
  bytes ??= await readDatabaseFile(path, kind, {shared: false});
  // maxmind's Reader reads through Buffer's methods; a Buffer over these bytes is one like any other.
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data[0] === GZIP_MAGIC[0] && data[1] === GZIP_MAGIC[1]) {
    throw new Error(`${what} is gzip-compressed; expected an uncompressed .mmdb (gunzip a .mmdb.gz, or extract the .mmdb from a .tar.gz)`);
  }
  if (data.subarray(257, 262).toString("latin1") === "ustar") {
    throw new Error(`${what} is a tar archive; expected the .mmdb file inside it`);
  }
  if (data.lastIndexOf(METADATA_MARKER) < Math.max(0, data.length - METADATA_MAX_BYTES)) {
    throw new Error(`${what} is not a MaxMind DB (.mmdb) file: found no metadata marker in its last 128 KiB (${data.length} bytes read)`);
  }
  let reader: Reader<T>;
  try {
    // Our bounded cache rather than maxmind.open's tiny-lru: as the only cache, maxmind's LRU answered
    // repeats 10× slower than the per-address cache does (it still parses and walks the tree: bench/enrich.ts).
    reader = new Reader<T>(data, {cache: createValueCache<unknown, number>(DECODED_RECORD_CACHE_SIZE)});
  } catch (error) {
    throw new Error(`${what} is not a readable MaxMind DB: ${(error as Error).message}`, {cause: error});
  }
  const databaseType = String(reader.metadata.databaseType);
  if (!expectedType.test(databaseType)) {
    const hint = kind === "City" ? "expected a City database such as GeoLite2-City" : "expected an ASN database such as GeoLite2-ASN";
    throw new Error(`${what} is a ${databaseType} database; ${hint}`);
  }
  return {reader, info: {path, databaseType, buildTime: reader.metadata.buildEpoch}};
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "is a directory, not a file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return `cannot be read (${(error as Error).message})`;
}
