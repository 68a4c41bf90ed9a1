// The queue that gives a page's DuckDB-WASM engines their queries (src/components/engine-queue.ts):
// the queries asked in one task are all seen before an engine is handed out, the costliest go
// first, and a statement that changes the engines runs on all of them, in its place in the order.
import assert from "node:assert/strict";
import {test} from "node:test";
import {EngineQueue} from "../../src/components/engine-queue.js";

const inNextTask = (callback: () => void) => setImmediate(callback);
const nextTask = () => new Promise<void>((resolve) => setImmediate(resolve));

test("questions asked together: the costliest start first, one per free engine, ties in the order asked", async () => {
  const queue = new EngineQueue<string>(inNextTask);
  queue.add("a");
  queue.add("b");
  const started: string[] = [];
  const ask = (name: string, cost: number) => queue.one(cost).then((engine) => (started.push(`${name}@${engine}`), engine));
  const small = ask("small", 1);
  const large = ask("large", 100);
  const middle = ask("middle", 10);
  const alsoMiddle = ask("alsoMiddle", 10);
  await nextTask();
  await nextTask();
  // Two engines: the two costliest of the four (the first asked of the two middles) have them.
  assert.deepEqual(started, ["large@a", "middle@b"]);
  queue.done(await middle);
  await nextTask();
  assert.deepEqual(started, ["large@a", "middle@b", "alsoMiddle@b"]);
  queue.done(await large);
  await nextTask();
  assert.deepEqual(started, ["large@a", "middle@b", "alsoMiddle@b", "small@a"]);
  queue.done(await small);
  queue.done(await alsoMiddle);
});

test("a change runs on every engine, after the questions asked before it and before those after it", async () => {
  const queue = new EngineQueue<string>(inNextTask);
  queue.add("a");
  queue.add("b");
  const events: string[] = [];
  const before = queue.one(5).then((engine) => (events.push(`before@${engine}`), engine));
  const change = queue.every().then((engines) => (events.push(`change@${engines.join("+")}`), engines));
  // Costlier than the question before the change, but asked after it: it waits for the change.
  const after = queue.one(500).then((engine) => (events.push(`after@${engine}`), engine));
  await nextTask();
  await nextTask();
  // One question runs; the change has the other engine and waits for the first.
  assert.deepEqual(events, ["before@a"]);
  queue.done(await before);
  await nextTask();
  assert.deepEqual(events, ["before@a", "change@b+a"]);
  for (const engine of await change) queue.done(engine);
  await nextTask();
  assert.deepEqual(events, ["before@a", "change@b+a", "after@b"]);
  queue.done(await after);
});

test("one engine: every query in turn, and a change needs only it", async () => {
  const queue = new EngineQueue<string>(inNextTask);
  queue.add("only");
  const first = queue.one(1);
  const second = queue.one(2);
  await nextTask();
  assert.equal(await second, "only", "the costlier of two asked together first");
  queue.done("only");
  assert.equal(await first, "only");
  queue.done("only");
  assert.deepEqual(await queue.every(), ["only"]);
});

/** A queue of two engines, a and b, with a running a question. */
async function twoEnginesOneBusy(): Promise<EngineQueue<string>> {
  const queue = new EngineQueue<string>(inNextTask);
  queue.add("a");
  queue.add("b");
  const running = queue.one(1);
  await nextTask();
  assert.equal(await running, "a");
  return queue;
}

test("an engine withdrawn is given nothing more, once idle it may close, and a change no longer waits for it", async () => {
  const queue = await twoEnginesOneBusy();
  // b idle: withdrawn at once; a busy: withdrawn once done.
  await queue.withdraw("b");
  let aIdle = false;
  const aWithdrawn = queue.withdraw("a").then(() => (aIdle = true));
  await nextTask();
  assert.equal(aIdle, false, "a still runs its query");
  queue.done("a");
  await aWithdrawn;
  assert.equal(aIdle, true);
  // Nothing is left to give: a question waits (a real page never withdraws its first engine).
  let given = false;
  void queue.one(1).then(() => (given = true));
  await nextTask();
  await nextTask();
  assert.equal(given, false);
});

test("a change asked with two engines runs on the one left when the other is withdrawn", async () => {
  const queue = await twoEnginesOneBusy();
  const change = queue.every();
  await nextTask();
  // The change has b and waits for a; a is withdrawn instead.
  const aWithdrawn = queue.withdraw("a");
  assert.deepEqual(await change, ["b"]);
  queue.done("a");
  await aWithdrawn;
});

test("an engine withdrawn while a change holds it is taken from the change, which runs on the engines left", async () => {
  const queue = await twoEnginesOneBusy();
  let ranOn: string[] | null = null;
  const change = queue.every().then((engines) => (ranOn = engines));
  await nextTask();
  // The change holds b and waits for a; b is withdrawn: free at once, and the change waits for a alone.
  await queue.withdraw("b");
  await nextTask();
  assert.equal(ranOn, null, "the change still waits for a");
  queue.done("a");
  assert.deepEqual(await change, ["a"]);
});

test("an engine held (before it is added, as the page holds an engine while it makes its tables) is given no question, a change waits for it, and its holder's done frees it", async () => {
  const queue = new EngineQueue<string>(inNextTask);
  let held = false;
  const holding = queue.hold("b").then(() => void (held = true));
  queue.add("a");
  queue.add("b");
  await holding;
  assert.ok(held, "held as soon as it was added");
  const events: string[] = [];
  const first = queue.one(1).then((engine) => (events.push(`first@${engine}`), engine));
  const second = queue.one(1).then((engine) => (events.push(`second@${engine}`), engine));
  await nextTask();
  await nextTask();
  // Two questions, one engine given: the held one takes none.
  assert.deepEqual(events, ["first@a"]);
  queue.done(await first);
  await nextTask();
  assert.deepEqual(events, ["first@a", "second@a"]);
  const change = queue.every().then((engines) => (events.push(`change@${engines.join("+")}`), engines));
  queue.done(await second);
  await nextTask();
  assert.deepEqual(events, ["first@a", "second@a"], "the change waits for the held engine");
  queue.done("b");
  await nextTask();
  assert.deepEqual(events, ["first@a", "second@a", "change@a+b"]);
  for (const engine of await change) queue.done(engine);
  // A hold asked while the engine runs a question is given once that is done, before the next question.
  const running = await queue.one(1);
  const heldAfter = queue.hold(running).then(() => (events.push(`held@${running}`), running));
  queue.done(running);
  assert.equal(await heldAfter, running);
  const next = queue.one(1).then((engine) => (events.push(`next@${engine}`), engine));
  await nextTask();
  await nextTask();
  assert.equal(events.at(-2), `held@${running}`);
  assert.notEqual(events.at(-1), `next@${running}`, "the held engine is not given the next question");
  queue.done(await next);
  queue.done(running);
});
