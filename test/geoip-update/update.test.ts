// updateEdition against a local stand-in for MaxMind: what gets installed, what is kept when a
// download is wrong, and what the messages say (never the license key).
import assert from "node:assert/strict";
import {createServer} from "node:http";
import type {AddressInfo} from "node:net";
import {mkdtemp, readdir, readFile, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, afterEach, before, beforeEach, describe, test} from "node:test";
import {gzipSync} from "node:zlib";
import {openGeoIp} from "../../data-loaders/enrich/geoip.js";
import {GeoIpUpdateError} from "../../data-loaders/geoip-update/errors.js";
import {REDACTED, redactLicenseKey} from "../../data-loaders/geoip-update/license-key.js";
import {updateEdition, type UpdateOptions} from "../../data-loaders/geoip-update/update.js";
import {ASN_TEST_DB, CITY_TEST_DB, LICENSE_KEY, maxmindArchive, served, startFakeMaxMind, ustar, type FakeMaxMind} from "./fake-maxmind.js";

let server: FakeMaxMind;
let directory: string;
const messages: string[] = [];

before(async () => {
  server = await startFakeMaxMind();
});
after(async () => {
  await server.close();
  // Every failure message any test provoked, checked once more: the key never appears.
  for (const message of messages) assert.ok(!message.includes(LICENSE_KEY), `the license key leaked into: ${message}`);
});
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "weblog-geoip-update-"));
  server.override = null;
  server.requests.length = 0;
});
afterEach(async () => {
  await rm(directory, {recursive: true, force: true});
});

function options(extra: Partial<UpdateOptions> = {}): UpdateOptions {
  return {directory, licenseKey: LICENSE_KEY, baseUrl: server.url, ...extra};
}

/** The GeoIpUpdateError updateEdition rejects with; fails the test if it resolves or throws anything else. */
async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail("expected the update to fail"),
    (error: unknown) => error,
  );
  assert.ok(error instanceof GeoIpUpdateError, `expected a GeoIpUpdateError, got ${String(error)}`);
  messages.push(error.message);
  assert.ok(!error.message.includes(LICENSE_KEY), `the license key leaked into: ${error.message}`);
  return error.message;
}

async function installedFiles(): Promise<string[]> {
  return (await readdir(directory)).sort();
}

describe("a successful update", () => {
  test("installs GeoLite2-City.mmdb, which openGeoIp reads: 81.2.69.142 is London, GB", async () => {
    const result = await updateEdition("GeoLite2-City", options());
    assert.equal(result.status, "installed");
    assert.equal(result.path, join(directory, "GeoLite2-City.mmdb"));
    assert.equal(result.databaseType, "GeoLite2-City");
    assert.equal(result.buildTime.toISOString(), "2026-02-04T22:49:29.000Z");
    assert.equal(result.releaseDate, "2026-02-04");
    assert.ok((await readFile(result.path)).equals(await readFile(CITY_TEST_DB)));
    // The database and the note of what it came from; no temporary files left behind.
    assert.deepEqual(await installedFiles(), ["GeoLite2-City.mmdb", "GeoLite2-City.mmdb.download.json"]);

    const geoip = await openGeoIp({city: result.path, asn: null});
    const london = geoip.lookup("81.2.69.142");
    assert.equal(london.city, "London");
    assert.equal(london.country_code, "GB");
    assert.equal(geoip.city?.databaseType, "GeoLite2-City");
  });

  test("sends the key and edition MaxMind expects, and follows its redirect to the archive", async () => {
    await updateEdition("GeoLite2-City", options());
    const [checksum, archive, storage] = server.requests;
    assert.equal(checksum.searchParams.get("edition_id"), "GeoLite2-City");
    assert.equal(checksum.searchParams.get("suffix"), "tar.gz.sha256");
    assert.equal(checksum.searchParams.get("license_key"), LICENSE_KEY);
    assert.equal(archive.searchParams.get("suffix"), "tar.gz");
    assert.equal(storage.pathname, "/storage/GeoLite2-City");
  });

  test("installs GeoLite2-ASN.mmdb for the ASN edition", async () => {
    const result = await updateEdition("GeoLite2-ASN", options());
    assert.equal(result.path, join(directory, "GeoLite2-ASN.mmdb"));
    assert.equal(result.databaseType, "GeoLite2-ASN");
    assert.ok((await readFile(result.path)).equals(await readFile(ASN_TEST_DB)));
    const geoip = await openGeoIp({city: null, asn: result.path});
    // From GeoLite2-ASN-Test.json: 1.128.0.0/11 is AS1221, Telstra.
    assert.equal(geoip.lookup("1.128.0.1").asn, 1221);
  });

  test("a second run finds the installed copy current and downloads only the checksum", async () => {
    await updateEdition("GeoLite2-City", options());
    server.requests.length = 0;
    const again = await updateEdition("GeoLite2-City", options());
    assert.equal(again.status, "up to date");
    assert.equal(again.buildTime.toISOString(), "2026-02-04T22:49:29.000Z");
    assert.deepEqual(server.requests.map((r) => r.searchParams.get("suffix")), ["tar.gz.sha256"]);

    const forced = await updateEdition("GeoLite2-City", options({force: true}));
    assert.equal(forced.status, "installed");
  });

  test("a new release replaces the installed copy; a hand-replaced file is downloaded over", async () => {
    await updateEdition("GeoLite2-City", options());
    const path = join(directory, "GeoLite2-City.mmdb");
    await writeFile(path, "replaced by hand");
    assert.equal((await updateEdition("GeoLite2-City", options())).status, "installed");
    assert.ok((await readFile(path)).equals(await readFile(CITY_TEST_DB)));

    server.editions.set("GeoLite2-City", served("GeoLite2-City", maxmindArchive("GeoLite2-City", await readFile(CITY_TEST_DB), "20260211"), "20260211"));
    try {
      const newer = await updateEdition("GeoLite2-City", options());
      assert.equal(newer.status, "installed");
      assert.equal(newer.releaseDate, "2026-02-11");
    } finally {
      server.editions.set("GeoLite2-City", served("GeoLite2-City", maxmindArchive("GeoLite2-City", await readFile(CITY_TEST_DB))));
    }
  });
});

describe("a failed update keeps the previous database", () => {
  const previous = Buffer.from("the previous database, whatever it was");
  beforeEach(async () => {
    await writeFile(join(directory, "GeoLite2-City.mmdb"), previous);
  });
  afterEach(async () => {
    assert.ok((await readFile(join(directory, "GeoLite2-City.mmdb"))).equals(previous), "the previous database changed");
    assert.deepEqual(await installedFiles(), ["GeoLite2-City.mmdb"], "a failed update left files behind");
  });

  test("checksum mismatch: says so, installs nothing", async () => {
    server.override = (url) =>
      url.searchParams.get("suffix") === "tar.gz.sha256" ? {status: 200, body: `${"0".repeat(64)}  GeoLite2-City_20260204.tar.gz\n`} : undefined;
    const message = await failure(updateEdition("GeoLite2-City", options()));
    assert.match(message, /checksum mismatch/);
    assert.match(message, /0{64}/);
    assert.match(message, /Nothing was installed; the previous database, if any, is kept/);
  });

  test("401: MaxMind rejected the license key", async () => {
    const message = await failure(updateEdition("GeoLite2-City", options({licenseKey: "WrongKey_0123456789abcdef0123456789abcdef"})));
    assert.match(message, /^MaxMind rejected the license key \(HTTP 401/);
    assert.match(message, /Invalid license key/);
    assert.match(message, /MAXMIND_LICENSE_KEY/);
    assert.ok(!message.includes("WrongKey_0123456789abcdef0123456789abcdef"));
  });

  test("403 is a rejected key too", async () => {
    server.override = () => ({status: 403, body: "Forbidden"});
    assert.match(await failure(updateEdition("GeoLite2-City", options())), /^MaxMind rejected the license key \(HTTP 403/);
  });

  test("403 from the storage host MaxMind redirects to is not blamed on the key", async () => {
    server.override = (url) => (url.pathname.startsWith("/storage/") ? {status: 403, body: "Request has expired"} : undefined);
    const redirected = await failure(updateEdition("GeoLite2-City", options({baseUrl: server.url.replace("127.0.0.1", "localhost")})));
    assert.doesNotMatch(redirected, /rejected the license key/);
    assert.match(redirected, /redirected the download of the GeoLite2-City archive, refused it \(HTTP 403/);
  });

  test("429: rate limited, with Retry-After", async () => {
    server.override = () => ({status: 429, body: "Too Many Requests", headers: {"retry-after": "3600"}});
    const message = await failure(updateEdition("GeoLite2-City", options()));
    assert.match(message, /rate limited/);
    assert.match(message, /after 3600 s/);
  });

  test("another HTTP error shows the URL with the key redacted, and redacts a body that echoes the key", async () => {
    server.override = (url) => ({status: 500, body: `internal error handling ${url.pathname}${url.search} for key ${LICENSE_KEY}`});
    const message = await failure(updateEdition("GeoLite2-City", options()));
    assert.match(message, /HTTP 500/);
    assert.match(message, /edition_id=GeoLite2-City&license_key=REDACTED&suffix=tar\.gz\.sha256/);
    assert.match(message, new RegExp(`for key ${REDACTED}`));
  });

  test("the archive is an HTML page, not a .tar.gz", async () => {
    const page = Buffer.from("<!DOCTYPE html><html><body>Please log in</body></html>");
    server.editions.set("GeoLite2-City", served("GeoLite2-City", page));
    try {
      assert.match(await failure(updateEdition("GeoLite2-City", options())), /the GeoLite2-City archive is not a gzip file \(it starts with "<!DOCTYPE html>/);
    } finally {
      server.editions.set("GeoLite2-City", served("GeoLite2-City", maxmindArchive("GeoLite2-City", await readFile(CITY_TEST_DB))));
    }
  });

  test("a tar.gz without the .mmdb says so and lists what it holds", async () => {
    const archive = gzipSync(ustar([{name: "GeoLite2-City_20260204/README.txt", data: Buffer.from("no database here\n")}]));
    server.editions.set("GeoLite2-City", served("GeoLite2-City", archive));
    try {
      const message = await failure(updateEdition("GeoLite2-City", options()));
      assert.match(message, /holds no GeoLite2-City\.mmdb/);
      assert.match(message, /GeoLite2-City_20260204\/README\.txt/);
    } finally {
      server.editions.set("GeoLite2-City", served("GeoLite2-City", maxmindArchive("GeoLite2-City", await readFile(CITY_TEST_DB))));
    }
  });

  test("an archive whose .mmdb is another edition's database is refused", async () => {
    server.editions.set("GeoLite2-City", served("GeoLite2-City", maxmindArchive("GeoLite2-City", await readFile(ASN_TEST_DB))));
    try {
      assert.match(await failure(updateEdition("GeoLite2-City", options())), /is a GeoLite2-ASN database, not a City database/);
    } finally {
      server.editions.set("GeoLite2-City", served("GeoLite2-City", maxmindArchive("GeoLite2-City", await readFile(CITY_TEST_DB))));
    }
  });

  test("an .mmdb that is not a MaxMind database is refused", async () => {
    server.editions.set("GeoLite2-City", served("GeoLite2-City", maxmindArchive("GeoLite2-City", Buffer.from("not a database"))));
    try {
      assert.match(await failure(updateEdition("GeoLite2-City", options())), /is not a readable MaxMind database/);
    } finally {
      server.editions.set("GeoLite2-City", served("GeoLite2-City", maxmindArchive("GeoLite2-City", await readFile(CITY_TEST_DB))));
    }
  });

  test("a checksum file in the wrong form", async () => {
    server.override = (url) => (url.searchParams.get("suffix") === "tar.gz.sha256" ? {status: 200, body: "<html>maintenance</html>"} : undefined);
    assert.match(await failure(updateEdition("GeoLite2-City", options())), /does not hold a SHA-256 line/);
  });

  test("network failure names the host", async () => {
    const closed = createServer();
    await new Promise<void>((listening) => closed.listen(0, "127.0.0.1", listening));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const message = await failure(updateEdition("GeoLite2-City", options({baseUrl: `http://127.0.0.1:${port}/app/geoip_download`})));
    assert.match(message, new RegExp(`could not reach 127\\.0\\.0\\.1:${port}`));
    assert.match(message, /ECONNREFUSED/);
  });

  test("a server that never answers times out, naming the host", async () => {
    server.override = () => "hang";
    const host = new URL(server.url).host;
    const message = await failure(updateEdition("GeoLite2-City", options({download: {idleTimeoutMs: 300}})));
    assert.match(message, new RegExp(`from ${host.replace(/\./g, "\\.")} stalled: nothing arrived for 0\\.3 s`));
  });
});

describe("redactLicenseKey", () => {
  test("takes license_key values out of URLs, wherever they sit in the query", () => {
    assert.equal(
      redactLicenseKey("GET https://download.maxmind.com/app/geoip_download?edition_id=GeoLite2-City&license_key=abc123XYZ&suffix=tar.gz failed"),
      "GET https://download.maxmind.com/app/geoip_download?edition_id=GeoLite2-City&license_key=REDACTED&suffix=tar.gz failed",
    );
    assert.equal(redactLicenseKey("?license_key=abc%2B123"), "?license_key=REDACTED");
    assert.equal(redactLicenseKey("url: x?LICENSE_KEY=abc"), "url: x?LICENSE_KEY=REDACTED");
  });

  test("takes out the key itself when given it, plain or URL-encoded", () => {
    assert.equal(redactLicenseKey("your key ab+cd/ef12 is invalid", "ab+cd/ef12"), `your key ${REDACTED} is invalid`);
    assert.equal(redactLicenseKey("key=ab%2Bcd%2Fef12", "ab+cd/ef12"), `key=${REDACTED}`);
  });
});
