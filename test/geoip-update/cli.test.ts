// `npx weblog geoip update` as a user runs it: a child process, configured by environment
// variables, talking to a local stand-in for MaxMind.
import assert from "node:assert/strict";
import {execFile} from "node:child_process";
import {mkdtemp, readFile, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, afterEach, before, beforeEach, describe, test} from "node:test";
import {openGeoIp} from "../../data-loaders/enrich/geoip.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {ASN_TEST_DB, CITY_TEST_DB, LICENSE_KEY, startFakeMaxMind, type FakeMaxMind} from "./fake-maxmind.js";

let server: FakeMaxMind;
let workDir: string;
let geoipDir: string;

before(async () => {
  server = await startFakeMaxMind();
});
after(async () => {
  await server.close();
});
beforeEach(async () => {
  server.override = null;
  server.requests.length = 0;
  // The command runs in an empty directory, so no weblog.config.json of the developer's is read.
  workDir = await mkdtemp(join(tmpdir(), "weblog-geoip-cli-"));
  geoipDir = join(workDir, "managed-geoip");
});
afterEach(async () => {
  await rm(workDir, {recursive: true, force: true});
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronous, so this process's server can answer the child. */
function weblog(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const base = {...process.env};
  for (const name of Object.keys(base)) if (name.startsWith("WEBLOG_") || name.startsWith("MAXMIND_")) delete base[name];
  const childEnv: NodeJS.ProcessEnv = {...base, WEBLOG_GEOIP_DIR: geoipDir, WEBLOG_GEOIP_DOWNLOAD_URL: server.url, ...env};
  for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
  return new Promise((done) => {
    execFile(process.execPath, [join(PROJECT_DIR, "bin/weblog.js"), ...args], {cwd: workDir, env: childEnv, encoding: "utf8"}, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      done({status, stdout, stderr});
    });
  });
}

function assertNoKey(run: Run): void {
  assert.ok(!run.stdout.includes(LICENSE_KEY) && !run.stderr.includes(LICENSE_KEY), `the license key leaked:\n${run.stdout}\n${run.stderr}`);
}

describe("weblog geoip update", () => {
  test("installs GeoLite2 City, prints what and where, exit 0; a lookup then gives London", async () => {
    const run = await weblog(["geoip", "update"], {MAXMIND_LICENSE_KEY: LICENSE_KEY});
    assert.equal(run.status, 0, run.stderr);
    const path = join(geoipDir, "GeoLite2-City.mmdb");
    assert.equal(run.stdout, `installed GeoLite2-City (build 2026-02-04, release 2026-02-04) at ${path}\n`);
    assertNoKey(run);
    assert.ok((await readFile(path)).equals(await readFile(CITY_TEST_DB)));
    const london = (await openGeoIp({city: path, asn: null})).lookup("81.2.69.142");
    assert.deepEqual([london.city, london.country_code], ["London", "GB"]);

    const again = await weblog(["geoip", "update"], {MAXMIND_LICENSE_KEY: LICENSE_KEY});
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^GeoLite2-City is up to date \(build 2026-02-04/);
  });

  test("--asn installs GeoLite2 ASN as well", async () => {
    const run = await weblog(["geoip", "update", "--asn"], {MAXMIND_LICENSE_KEY: LICENSE_KEY});
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /installed GeoLite2-City .*\ninstalled GeoLite2-ASN \(build 2026-02-04, release 2026-02-04\) at .*GeoLite2-ASN\.mmdb\n$/);
    assert.ok((await readFile(join(geoipDir, "GeoLite2-ASN.mmdb"))).equals(await readFile(ASN_TEST_DB)));
  });

  test("the license key may come from weblog.config.json", async () => {
    await writeFile(join(workDir, "weblog.config.json"), JSON.stringify({geoip: {licenseKey: LICENSE_KEY}}));
    const run = await weblog(["geoip", "update"], {});
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^installed GeoLite2-City/);
  });

  test("no license key: exit 1, saying how to set one and where to get one", async () => {
    const run = await weblog(["geoip", "update"], {});
    assert.equal(run.status, 1);
    assert.match(run.stderr, /no MaxMind license key/);
    assert.match(run.stderr, /MAXMIND_LICENSE_KEY/);
    assert.match(run.stderr, /geoip\.licenseKey/);
    assert.match(run.stderr, /https:\/\/www\.maxmind\.com\/en\/geolite2\/signup/);
    assert.equal(server.requests.length, 0, "nothing was requested without a key");
  });

  test("checksum mismatch: exit 1 with the message, the existing database byte-identical", async () => {
    const first = await weblog(["geoip", "update"], {MAXMIND_LICENSE_KEY: LICENSE_KEY});
    assert.equal(first.status, 0, first.stderr);
    const path = join(geoipDir, "GeoLite2-City.mmdb");
    const before = await readFile(path);
    server.override = (url) =>
      url.searchParams.get("suffix") === "tar.gz.sha256" ? {status: 200, body: `${"ab".repeat(32)}  GeoLite2-City_20260211.tar.gz\n`} : undefined;
    const run = await weblog(["geoip", "update"], {MAXMIND_LICENSE_KEY: LICENSE_KEY});
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^weblog geoip update: checksum mismatch/m);
    assert.match(run.stderr, /Nothing was installed/);
    assert.equal(run.stdout, "");
    assertNoKey(run);
    assert.ok((await readFile(path)).equals(before));
  });

  test("a rejected key: exit 1, the message, and neither the key nor a stack trace", async () => {
    const wrongKey = "WrongKey_fedcba9876543210fedcba9876543210";
    const run = await weblog(["geoip", "update"], {MAXMIND_LICENSE_KEY: wrongKey});
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^weblog geoip update: MaxMind rejected the license key/m);
    assert.ok(!run.stderr.includes(wrongKey), run.stderr);
    assert.ok(!/\n\s+at /.test(run.stderr), `a stack trace was printed:\n${run.stderr}`);
  });

  test("a wrong subcommand or option is a usage error, exit 2", async () => {
    assert.equal((await weblog(["geoip"], {})).status, 2);
    assert.equal((await weblog(["geoip", "download"], {})).status, 2);
    assert.equal((await weblog(["geoip", "update", "--city"], {MAXMIND_LICENSE_KEY: LICENSE_KEY})).status, 2);
  });
});
