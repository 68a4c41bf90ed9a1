// The tar reader against archives written by our test writer and by GNU tar itself (ustar, GNU
// long names, pax), and against damaged ones.
import assert from "node:assert/strict";
import {execFileSync, spawnSync} from "node:child_process";
import {mkdtemp, mkdir, readFile, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {tarEntries, TarFormatError} from "../../data-loaders/geoip-update/tar.js";
import {CITY_TEST_DB, ustar} from "./fake-maxmind.js";

const hasGnuTar = spawnSync("tar", ["--version"], {encoding: "utf8"}).stdout?.includes("GNU tar") ?? false;

describe("tarEntries", () => {
  test("reads names, types and contents of a ustar archive", async () => {
    const database = await readFile(CITY_TEST_DB);
    const archive = ustar([
      {name: "GeoLite2-City_20260204/", type: "directory"},
      {name: "GeoLite2-City_20260204/README.txt", data: Buffer.from("hello\n")},
      {name: "GeoLite2-City_20260204/GeoLite2-City.mmdb", data: database},
    ]);
    const entries = [...tarEntries(archive)];
    assert.deepEqual(
      entries.map((e) => [e.name, e.type, e.data.length]),
      [
        ["GeoLite2-City_20260204/", "directory", 0],
        ["GeoLite2-City_20260204/README.txt", "file", 6],
        ["GeoLite2-City_20260204/GeoLite2-City.mmdb", "file", database.length],
      ],
    );
    assert.ok(entries[2].data.equals(database));
  });

  test("a damaged header is reported, not read as garbage", () => {
    const archive = ustar([{name: "a.txt", data: Buffer.from("abc")}]);
    archive[10] ^= 0xff; // inside the name field: the header checksum no longer matches
    assert.throws(() => [...tarEntries(archive)], (error: unknown) => error instanceof TarFormatError && /damaged/.test(error.message));
  });

  test("an archive cut short inside an entry is reported", () => {
    const archive = ustar([{name: "big.bin", data: Buffer.alloc(4000, 7)}]);
    assert.throws(() => [...tarEntries(archive.subarray(0, 2048))], (error: unknown) => error instanceof TarFormatError && /ends at byte 2048/.test(error.message));
  });

  test("bytes that are not a tar archive are reported", () => {
    assert.throws(() => [...tarEntries(Buffer.from("<html>" + " ".repeat(600)))], TarFormatError);
  });

  describe("archives written by GNU tar", {skip: hasGnuTar ? false : "GNU tar is not installed"}, () => {
    let dir: string;
    const longDir = `GeoLite2-City_20260204/${"deeply-nested-directory-name/".repeat(5)}`;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "weblog-tar-"));
      await mkdir(join(dir, "src", longDir), {recursive: true});
      await writeFile(join(dir, "src", longDir, "GeoLite2-City.mmdb"), await readFile(CITY_TEST_DB));
      await writeFile(join(dir, "src", "GeoLite2-City_20260204", "LICENSE.txt"), "licence\n");
    });
    after(async () => {
      await rm(dir, {recursive: true, force: true});
    });

    for (const format of ["ustar", "gnu", "pax"] as const) {
      test(`--format=${format}, with a path longer than 100 bytes`, async () => {
        const archive = join(dir, `${format}.tar`);
        execFileSync("tar", [`--format=${format}`, "-cf", archive, "-C", join(dir, "src"), "GeoLite2-City_20260204"]);
        const entries = [...tarEntries(await readFile(archive))];
        const database = entries.find((e) => e.name === `${longDir}GeoLite2-City.mmdb`);
        assert.ok(database, `found ${entries.map((e) => e.name).join(", ")}`);
        assert.equal(database.type, "file");
        assert.ok(database.data.equals(await readFile(CITY_TEST_DB)));
        assert.equal(entries.find((e) => e.name.endsWith("LICENSE.txt"))?.data.toString(), "licence\n");
      });
    }
  });
});
