// A process racing for a store's lock, for test/sync/lock.test.ts. Run as
//   node --import tsx test/support/lock-racer.ts <store> <log>
// Each "go" line on stdin starts a round: take the lock, write "enter <pid>" and "exit <pid>" to
// the log around a short hold, release, and answer "done" on stdout ("stuck: …" when the lock
// could not be had in 30 s). The test reads the log: two holders at once show as two enters in a row.
import {appendFileSync} from "node:fs";
import {createInterface} from "node:readline";
import {setTimeout as sleep} from "node:timers/promises";
import {lockStore} from "../../data-loaders/store/lock.js";

const [store, log] = process.argv.slice(2);
process.stdout.write("ready\n");
for await (const line of createInterface({input: process.stdin})) {
  if (line !== "go") continue;
  const lock = await lockStore(store, {timeoutMs: 30_000}).catch((error: Error) => error);
  if (lock instanceof Error) {
    process.stdout.write(`stuck: ${lock.message}\n`);
    continue;
  }
  appendFileSync(log, `enter ${process.pid}\n`);
  // Held long enough for a second holder, if the lock let one in, to write its enter meanwhile.
  await sleep(20);
  appendFileSync(log, `exit ${process.pid}\n`);
  await lock.release();
  process.stdout.write("done\n");
}
