// `weblog watch` keeps GeoLite2 open between polls, and opens it again when the database file
// is replaced (as `weblog geoip update` replaces it), never enriching with a replaced one.
import assert from "node:assert/strict";
import {copyFile, mkdtemp, rename, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {resolveConfig} from "../../data-loaders/config.js";
import {KeptEnrichment} from "../../data-loaders/enrich/kept-enrichment.js";
import {MAXMIND_TEST_DIR} from "../fixtures.js";

const TEST_DATA = MAXMIND_TEST_DIR;

test("the enrichment stays open while its database is the same, and is opened again when it is replaced", async () => {
  const dir = await mkdtemp(join(tmpdir(), "weblog-kept-"));
  try {
    const city = join(dir, "GeoLite2-City.mmdb");
    await copyFile(join(TEST_DATA, "GeoLite2-City-Test.mmdb"), city);
    const config = resolveConfig({bucket: "b", geoip: {cityDatabase: city}}, {WEBLOG_GEOIP_DIR: dir}, dir);
    const log: string[] = [];
    const kept = new KeptEnrichment(config, (line) => log.push(line));

    const first = await kept.current();
    assert.equal(first.geo("2.125.160.216").country_code, "GB");
    assert.equal(await kept.current(), first, "the same database: the same open enrichment");

    // A new database installed by rename, as `weblog geoip update` does: this one knows no city
    // for the address (the GeoLite2 Country test database).
    await copyFile(join(TEST_DATA, "GeoLite2-Country-Test.mmdb"), `${city}.new`);
    await rename(`${city}.new`, city);
    const second = await kept.current();
    assert.notEqual(second, first);
    assert.equal(second.geo("2.125.160.216").city, null);
    assert.deepEqual(log, ["GeoLite2 database changed: opened again"]);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});
