// Local access-log files: which files a folder gives, and the instance each belongs to (the rule
// docs/report.md states), rotated and compressed names included.
import assert from "node:assert/strict";
import {mkdirSync, writeFileSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {instanceOfFile} from "../../data-loaders/sources/instance-name.js";
import {findLogFiles, LogFileError} from "../../data-loaders/sources/local-files.js";

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weblog-local-files-"));
});

after(async () => {
  await rm(dir, {recursive: true, force: true});
});

test("a rotated set is one instance, named by what its file name says", () => {
  const cwd = "/srv";
  const instances = (files: string[]) => files.map((file) => instanceOfFile(file, cwd));
  assert.deepEqual(instances(["web-1.access.log", "web-1.access.log.1", "web-1.access.log.2.gz", "web-1-access_log-20240101.gz"]), ["web-1", "web-1", "web-1", "web-1"]);
  assert.deepEqual(instances(["example.com-access.log", "ssl_access_log", "other_vhosts_access.log.3.gz", "shop.log"]), ["example.com", "ssl", "other_vhosts", "shop"]);
});

test("a file whose name says nothing takes its folder's name, or 'local' in the current folder", () => {
  assert.deepEqual(
    ["web-2/access.log", "web-2/access.log.3.gz", "/var/log/nginx/access.log.1", "access.log", "access_log.2024-01-01.gz", "./access.log"].map((file) => instanceOfFile(file, "/srv")),
    ["web-2", "web-2", "nginx", "local", "local", "local"],
  );
});

test("an instance name is safe as a page path", () => {
  assert.equal(instanceOfFile("web 3 <b>.log", "/srv"), "web-3--b-");
});

test("a folder gives its access logs, rotated ones included, not error logs or hidden files", async () => {
  mkdirSync(join(dir, "logs/web-2"), {recursive: true});
  mkdirSync(join(dir, "logs/.old"), {recursive: true});
  for (const file of ["web-1.access.log", "web-1.access.log.1", "web-1.access.log.2.gz", "web-2/access.log", "error.log", "error.log.1", "notes.txt", ".hidden.log", ".old/access.log"]) {
    writeFileSync(join(dir, "logs", file), "");
  }
  const found = await findLogFiles(["logs"], dir);
  assert.deepEqual(
    found.map((f) => [f.shown, f.instance, f.compressed]),
    [
      ["logs/web-1.access.log", "web-1", false],
      ["logs/web-1.access.log.1", "web-1", false],
      ["logs/web-1.access.log.2.gz", "web-1", true],
      ["logs/web-2/access.log", "web-2", false],
    ],
  );
  // Named outright, a file is read whatever its name; named twice, once.
  assert.deepEqual((await findLogFiles(["logs/notes.txt", "logs/notes.txt"], dir)).map((f) => f.shown), ["logs/notes.txt"]);
});

test("a path that does not exist is one clear error", async () => {
  await assert.rejects(findLogFiles(["logs", "missing.log"], dir), (error) => error instanceof LogFileError && error.message === "cannot read missing.log: no such file or folder");
});
