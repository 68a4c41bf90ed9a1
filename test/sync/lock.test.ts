// The store lock (data-loaders/store/lock.ts): one holder at a time, a dead holder's lock taken
// over, and, when several processes find the same dead holder at once, exactly one of them wins.
import assert from "node:assert/strict";
import {spawn, spawnSync, type ChildProcessWithoutNullStreams} from "node:child_process";
import {once} from "node:events";
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {createInterface, type Interface} from "node:readline";
import {after, before, test} from "node:test";
import {lockStore} from "../../data-loaders/store/lock.js";

const RACER = resolve(import.meta.dirname, "../support/lock-racer.ts");
let dir: string;
/** The pid of a process that has exited: a lock naming it is stale. */
let deadPid: number;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weblog-lock-"));
  deadPid = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {encoding: "utf8"}).stdout);
  assert.ok(deadPid > 0);
});
after(() => rm(dir, {recursive: true, force: true}));

async function freshStore(name: string): Promise<string> {
  const store = join(dir, name);
  await rm(store, {recursive: true, force: true});
  await mkdir(store, {recursive: true});
  return store;
}

test("a lock left by a dead process is taken over, and released leaves nothing behind", async () => {
  const store = await freshStore("stale");
  await writeFile(join(store, "lock"), `${deadPid} ${deadPid}-left-by-a-killed-sync`);
  const lock = await lockStore(store, {timeoutMs: 5_000});
  assert.equal((await readFile(join(store, "lock"), "utf8")).split(" ")[0], String(process.pid));
  await lock.release();
  assert.deepEqual(await readdir(store), []);
});

test("a lock written by an earlier version (the pid alone) is taken over when its process is dead", async () => {
  const store = await freshStore("old-format");
  await writeFile(join(store, "lock"), String(deadPid));
  const lock = await lockStore(store, {timeoutMs: 5_000});
  await lock.release();
  assert.deepEqual(await readdir(store), []);
});

test("a takeover claim left by a claimant that died is itself taken over", async () => {
  const store = await freshStore("dead-claimant");
  await writeFile(join(store, "lock"), `${deadPid} dead-holder`);
  await writeFile(join(store, "lock.takeover-dead-holder"), `${deadPid} dead-claimant`);
  const lock = await lockStore(store, {timeoutMs: 5_000});
  await lock.release();
  assert.deepEqual(await readdir(store), []);
});

test("a lock held by a live process is not taken: the wait ends naming that process", async () => {
  const store = await freshStore("live");
  const held = await lockStore(store);
  const holder = spawn(process.execPath, ["--import", "tsx", "-e", `import {lockStore} from ${JSON.stringify(resolve(import.meta.dirname, "../../data-loaders/store/lock.ts"))}; await lockStore(${JSON.stringify(store)}, {timeoutMs: 300}).then(() => console.log("taken"), (e) => console.log(e.message));`], {stdio: ["ignore", "pipe", "inherit"]});
  let output = "";
  holder.stdout.on("data", (chunk) => (output += chunk));
  await once(holder, "exit");
  assert.match(output, new RegExp(`locked by process ${process.pid}`));
  await held.release();
});

test("without a time limit a live holder is waited for, the wait saying so, until it releases", async () => {
  const store = await freshStore("long-hold");
  // Another process takes the lock, says so, and holds it until its input closes.
  const holder = spawn(process.execPath, ["--import", "tsx", "-e", `import {lockStore} from ${JSON.stringify(resolve(import.meta.dirname, "../../data-loaders/store/lock.ts"))}; const lock = await lockStore(${JSON.stringify(store)}); console.log("held"); process.stdin.resume(); process.stdin.on("end", () => lock.release().then(() => process.exit(0)));`], {stdio: ["pipe", "pipe", "inherit"]});
  await once(createInterface({input: holder.stdout}), "line");
  const notices: string[] = [];
  let taken = false;
  const waiting = lockStore(store, {noticeEveryMs: 100, notice: (message) => notices.push(message)}).then((lock) => ((taken = true), lock));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal(taken, false, "the lock was taken while its holder held it");
  assert.ok(notices.length >= 2, `notices while waiting: ${notices.length}`);
  assert.match(notices[0], new RegExp(`held by process ${holder.pid}`));
  const exited = once(holder, "exit");
  holder.stdin.end();
  const lock = await waiting;
  assert.equal((await readFile(join(store, "lock"), "utf8")).split(" ")[0], String(process.pid));
  await lock.release();
  await exited;
});

test("a lock file naming no process ends the wait after the time given, with the file to delete", async () => {
  const store = await freshStore("garbled");
  await writeFile(join(store, "lock"), "not a pid");
  await assert.rejects(lockStore(store, {timeoutMs: 300}), new RegExp(`locked by process unknown; if no sync is running, delete ${join(store, "lock").replaceAll("/", "\\/")}`));
});

test("processes racing for a stale lock: exactly one holds it at a time, round after round", async () => {
  const ROUNDS = 25;
  const RACERS = 4;
  const store = await freshStore("race");
  const log = join(dir, "race.log");
  await writeFile(log, "");
  const racers = Array.from({length: RACERS}, () => startRacer(store, log));
  try {
    await Promise.all(racers.map((r) => r.next()));
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts with the lock of a sync killed midway, and every racer told at once.
      await writeFile(join(store, "lock"), `${deadPid} ${deadPid}-round-${round}`);
      for (const racer of racers) racer.child.stdin.write("go\n");
      for (const racer of racers) assert.equal(await racer.next(), "done", `round ${round}`);
      const entries = (await readFile(log, "utf8")).trim().split("\n");
      assert.equal(entries.length, (round + 1) * RACERS * 2);
      for (let i = round * RACERS * 2; i < entries.length; i += 2) {
        const [enter, pid] = entries[i].split(" ");
        assert.equal(enter, "enter", `round ${round}: two holders at once (${entries.slice(i - 2, i + 2).join(", ")})`);
        assert.equal(entries[i + 1], `exit ${pid}`, `round ${round}: ${entries[i + 1]} while ${pid} held the lock`);
      }
    }
  } finally {
    for (const racer of racers) racer.child.stdin.end();
    await Promise.all(racers.map((r) => (r.child.exitCode === null ? once(r.child, "exit") : null)));
  }
  assert.deepEqual(await readdir(store), []);
});

function startRacer(store: string, log: string): {child: ChildProcessWithoutNullStreams; next(): Promise<string>} {
  const child = spawn(process.execPath, ["--import", "tsx", RACER, store, log]);
  child.stderr.pipe(process.stderr);
  const lines: Interface = createInterface({input: child.stdout});
  const iterator = lines[Symbol.asyncIterator]();
  return {
    child,
    async next() {
      const {value, done} = await iterator.next();
      if (done) throw new Error(`racer ${child.pid} exited with ${child.exitCode}`);
      return value;
    },
  };
}
