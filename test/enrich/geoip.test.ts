// GeoLite2 lookups against MaxMind's own test databases, with the expectations derived from the
// source records those databases were built from (test/fixtures/maxmind-test/*.json).
import assert from "node:assert/strict";
import {mkdtemp, readFile, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {gzipSync} from "node:zlib";
import {NO_GEO, openGeoIp, readGeoIpShared, type GeoIp} from "../../data-loaders/enrich/geoip.js";
import type {GeoFields} from "../../data-loaders/event.js";
import {MAXMIND_TEST_DIR} from "../fixtures.js";
import {containingNetwork, networksOf, type Network} from "./networks.js";

const TEST_DATA = MAXMIND_TEST_DIR;
const GEOIP2_CITY = join(TEST_DATA, "GeoIP2-City-Test.mmdb");
const GEOLITE2_CITY = join(TEST_DATA, "GeoLite2-City-Test.mmdb");
const GEOLITE2_COUNTRY = join(TEST_DATA, "GeoLite2-Country-Test.mmdb");
const GEOLITE2_ASN = join(TEST_DATA, "GeoLite2-ASN-Test.mmdb");

interface Names {
  en?: string;
}
interface CitySource {
  country?: {iso_code: string; names: Names};
  subdivisions?: Array<{names: Names}>;
  city?: {names: Names};
  location?: {latitude?: number; longitude?: number; time_zone?: string};
}
interface AsnSource {
  autonomous_system_number: number;
  autonomous_system_organization?: string;
}

async function sourceNetworks<Record>(file: string): Promise<Network<Record>[]> {
  return networksOf<Record>(JSON.parse(await readFile(join(TEST_DATA, file), "utf8")));
}

/** What our columns should hold for a City source record: English names, first subdivision, no registered-country fallback. */
function expectedCityFields(record: CitySource): Partial<GeoFields> {
  return {
    country_code: record.country?.iso_code ?? null,
    country: record.country?.names.en ?? null,
    subdivision: record.subdivisions?.[0]?.names.en ?? null,
    city: record.city?.names.en ?? null,
    latitude: record.location?.latitude ?? null,
    longitude: record.location?.longitude ?? null,
    time_zone: record.location?.time_zone ?? null,
  };
}

function cityPart(fields: GeoFields): Partial<GeoFields> {
  const {asn: _asn, as_org: _asOrg, ...city} = fields;
  return city;
}

for (const [label, database, source] of [
  ["GeoIP2 City", GEOIP2_CITY, "GeoIP2-City-Test.json"],
  ["GeoLite2 City", GEOLITE2_CITY, "GeoLite2-City-Test.json"],
] as const) {
  describe(`${label} test database`, () => {
    let geoip: GeoIp;
    let networks: Network<CitySource>[];
    before(async () => {
      geoip = await openGeoIp({city: database, asn: null});
      networks = await sourceNetworks<CitySource>(source);
    });

    test("the first address of every source network resolves to that network's record", () => {
      assert.ok(networks.length > 200, `expected hundreds of source networks, found ${networks.length}`);
      let withCountry = 0;
      for (const network of networks) {
        const expected = expectedCityFields(containingNetwork(networks, network.firstAddress)!.record);
        const actual = geoip.lookup(network.firstAddress);
        assert.deepEqual(cityPart(actual), expected, `${network.cidr} (looked up ${network.firstAddress})`);
        assert.equal(actual.asn, null);
        if (actual.country_code !== null) withCountry++;
      }
      assert.ok(withCountry > networks.length * 0.9, `most records carry a country (${withCountry} of ${networks.length})`);
    });

    test("reports the database it opened", () => {
      assert.equal(geoip.city?.path, database);
      assert.match(geoip.city?.databaseType ?? "", /^Geo(?:IP|Lite)2-City$/);
      assert.ok(geoip.city?.buildTime instanceof Date && !Number.isNaN(geoip.city.buildTime.getTime()));
      assert.equal(geoip.asn, null);
    });
  });
}

describe("GeoLite2 ASN test database", () => {
  let geoip: GeoIp;
  let networks: Network<AsnSource>[];
  before(async () => {
    geoip = await openGeoIp({city: null, asn: GEOLITE2_ASN});
    networks = await sourceNetworks<AsnSource>("GeoLite2-ASN-Test.json");
  });

  test("the first address of every source network gives its AS number and organisation, and no location", () => {
    assert.ok(networks.length > 500, `expected hundreds of source networks, found ${networks.length}`);
    for (const network of networks) {
      const expected = containingNetwork(networks, network.firstAddress)!.record;
      const actual = geoip.lookup(network.firstAddress);
      assert.equal(actual.asn, expected.autonomous_system_number, network.cidr);
      assert.equal(actual.as_org, expected.autonomous_system_organization ?? null, network.cidr);
      assert.equal(actual.country_code, null, network.cidr);
    }
  });

  test("City and ASN together fill both halves of one lookup", async () => {
    const both = await openGeoIp({city: GEOLITE2_CITY, asn: GEOLITE2_ASN});
    const cityNetworks = await sourceNetworks<CitySource>("GeoLite2-City-Test.json");
    let combined = 0;
    for (const address of [...cityNetworks, ...networks].map((network) => network.firstAddress)) {
      const city = containingNetwork(cityNetworks, address);
      const asn = containingNetwork(networks, address);
      if (city === undefined || asn === undefined) continue;
      const fields = both.lookup(address);
      assert.equal(fields.asn, asn.record.autonomous_system_number, address);
      assert.equal(fields.as_org, asn.record.autonomous_system_organization ?? null, address);
      assert.deepEqual(cityPart(fields), expectedCityFields(city.record), address);
      combined++;
    }
    assert.ok(combined >= 10, `the City and ASN test data overlap at ${combined} addresses`);
  });
});

describe("addresses with no location", () => {
  let geoip: GeoIp;
  before(async () => {
    geoip = await openGeoIp({city: GEOIP2_CITY, asn: GEOLITE2_ASN});
  });

  const cases: Array<[string, string | null]> = [
    ["absent client", null],
    ["private IPv4", "10.1.2.3"],
    ["private IPv4", "192.168.0.1"],
    ["private IPv4", "172.16.5.4"],
    ["loopback", "127.0.0.1"],
    ["IPv6 loopback", "::1"],
    ["IPv6 link-local with zone", "fe80::1%eth0"],
    ["IPv6 unique local", "fd12:3456::1"],
    ["public but absent from the test data", "8.8.8.8"],
    ["host name (HostnameLookups On)", "crawl-66-249-66-1.googlebot.com"],
    ["host name", "localhost"],
    ["empty", ""],
    ["Apache's dash", "-"],
    ["truncated address", "81.2.69"],
    ["octet out of range", "256.1.1.1"],
    ["leading zeros", "081.002.069.142"],
    ["address with port", "81.2.69.142:443"],
    ["bracketed IPv6", "[2001:218::]"],
    ["surrounding space", " 81.2.69.142"],
    ["garbage", "'; DROP TABLE events; --"],
    ["very long garbage", "9".repeat(10_000)],
  ];
  for (const [what, input] of cases) {
    test(`${what}: ${JSON.stringify(input?.slice(0, 40))} gives NO_GEO`, () => {
      assert.deepEqual(geoip.lookup(input), NO_GEO);
    });
  }

  test("NO_GEO is all null and frozen", () => {
    assert.ok(Object.values(NO_GEO).every((value) => value === null));
    assert.ok(Object.isFrozen(NO_GEO));
  });
});

describe("IPv4 clients logged by a dual-stack listener", () => {
  test("::ffff:a.b.c.d resolves like a.b.c.d", async () => {
    const geoip = await openGeoIp({city: GEOLITE2_CITY, asn: null});
    const plain = geoip.lookup("81.2.69.142");
    assert.equal(plain.country_code, "GB");
    assert.deepEqual(geoip.lookup("::ffff:81.2.69.142"), plain);
    assert.deepEqual(geoip.lookup("::FFFF:81.2.69.142"), plain);
  });
});

describe("cache", () => {
  test("repeated lookups share one frozen object", async () => {
    const geoip = await openGeoIp({city: GEOLITE2_CITY, asn: null});
    const first = geoip.lookup("81.2.69.142");
    assert.ok(Object.isFrozen(first));
    assert.equal(geoip.lookup("81.2.69.142"), first);
  });

  test("stays bounded: 50,000 distinct addresses through a 1,000-entry cache evict the first", async () => {
    const geoip = await openGeoIp({city: GEOLITE2_CITY, asn: null}, {cacheSize: 1_000});
    const first = geoip.lookup("81.2.69.142");
    for (let i = 0; i < 50_000; i++) geoip.lookup(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const again = geoip.lookup("81.2.69.142");
    assert.notEqual(again, first, "the entry was evicted, so the cache did not grow to 50,000");
    assert.deepEqual(again, first);
  });

  test("a value in steady use survives a flood of one-off addresses", async () => {
    const geoip = await openGeoIp({city: GEOLITE2_CITY, asn: null}, {cacheSize: 1_000});
    const first = geoip.lookup("81.2.69.142");
    for (let i = 0; i < 50_000; i++) {
      geoip.lookup(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      if (i % 100 === 0) assert.equal(geoip.lookup("81.2.69.142"), first);
    }
  });
});

describe("opening databases", () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), "weblog-geoip-test-"));
  });
  after(async () => {
    await rm(scratch, {recursive: true, force: true});
  });

  test("no databases at all: every lookup is NO_GEO", async () => {
    const geoip = await openGeoIp({city: null, asn: null});
    assert.equal(geoip.lookup("81.2.69.142"), NO_GEO);
    assert.equal(geoip.city, null);
  });

  test("a Country database is accepted as the City database and fills the country only", async () => {
    const geoip = await openGeoIp({city: GEOLITE2_COUNTRY, asn: null});
    assert.equal(geoip.city?.databaseType, "GeoLite2-Country");
    const fields = geoip.lookup("81.2.69.142");
    assert.equal(fields.country_code, "GB");
    assert.equal(fields.city, null);
  });

  async function rejects(paths: {city: string | null; asn: string | null}, ...patterns: RegExp[]) {
    await assert.rejects(openGeoIp(paths), (error: Error) => {
      for (const pattern of patterns) assert.match(error.message, pattern);
      return true;
    });
  }

  test("a missing file names the path", async () => {
    const missing = join(scratch, "GeoLite2-City.mmdb");
    await rejects({city: missing, asn: null}, new RegExp(`City database ${missing}: no such file`));
  });

  test("a directory is not a database", async () => {
    await rejects({city: scratch, asn: null}, new RegExp(scratch), /is a directory/);
  });

  test("a file that is not an .mmdb", async () => {
    await rejects({city: join(TEST_DATA, "GeoLite2-City-Test.json"), asn: null}, /GeoLite2-City-Test\.json/, /not a MaxMind DB/);
    const empty = join(scratch, "empty.mmdb");
    await writeFile(empty, "");
    await rejects({city: empty, asn: null}, /empty\.mmdb/, /not a MaxMind DB/);
  });

  test("a gzipped database says to decompress it", async () => {
    const gzipped = join(scratch, "GeoLite2-City.mmdb.gz");
    await writeFile(gzipped, gzipSync(await readFile(GEOLITE2_CITY)));
    await rejects({city: gzipped, asn: null}, /GeoLite2-City\.mmdb\.gz/, /gzip-compressed/);
  });

  test("an ASN database given as the City database", async () => {
    await rejects({city: GEOLITE2_ASN, asn: null}, /GeoLite2-ASN-Test\.mmdb/, /is a GeoLite2-ASN database; expected a City database/);
  });

  test("a City database given as the ASN database", async () => {
    await rejects({city: GEOLITE2_CITY, asn: GEOLITE2_CITY}, /ASN database .*GeoLite2-City-Test\.mmdb is a GeoLite2-City database; expected an ASN database/);
  });
});

describe("databases read once into shared memory (readGeoIpShared, for weblog parse's threads)", () => {
  test("give every client of the City and ASN test databases what the files give", async () => {
    const paths = {city: GEOLITE2_CITY, asn: GEOLITE2_ASN};
    const bytes = await readGeoIpShared(paths);
    assert.ok(bytes.city?.buffer instanceof SharedArrayBuffer && bytes.asn?.buffer instanceof SharedArrayBuffer);
    const shared = await openGeoIp(paths, {bytes});
    const fromFiles = await openGeoIp(paths);
    const clients = [
      ...(await sourceNetworks<CitySource>("GeoLite2-City-Test.json")),
      ...(await sourceNetworks<AsnSource>("GeoLite2-ASN-Test.json")),
    ].map((network) => network.firstAddress);
    assert.ok(clients.length > 100, `${clients.length} clients`);
    let located = 0;
    for (const client of clients) {
      const fields = shared.lookup(client);
      assert.deepEqual(fields, fromFiles.lookup(client), client);
      if (fields !== NO_GEO) located++;
    }
    assert.ok(located > 100, `${located} clients located`);
    assert.deepEqual(shared.city, fromFiles.city);
  });

  test("a missing file is named in the error", async () => {
    await assert.rejects(readGeoIpShared({city: join(TEST_DATA, "no-such.mmdb"), asn: null}), /GeoIP City database .*no-such\.mmdb: no such file/);
  });
});
