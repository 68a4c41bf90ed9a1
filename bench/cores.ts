// `npx tsx bench/cores.ts`: what this machine's cores give together. The same work on one thread
// alone, then on as many threads as there are cores at once, twice over: a loop of arithmetic and
// small strings (the kind of work a parse is), and random reads over 64 MB (a dictionary lookup's
// or a hash table's cache misses). Every ingest and page figure is read against it: a core busy
// beside another is not always a core's worth of work.
import {availableParallelism} from "node:os";
import {Worker} from "node:worker_threads";

const WORK = {
  "arithmetic and small strings": `
    let h = 0; const seen = new Map();
    const start = performance.now();
    for (let i = 0; i < 3e7; i++) { h = (h * 31 + i) | 0; if ((i & 1023) === 0) seen.set(String(h), i); }
    done(performance.now() - start);`,
  "random reads over 64 MB": `
    const next = new Int32Array(16 << 20);
    for (let i = 0; i < next.length; i++) next[i] = ((i * 2654435761) >>> 8) & (next.length - 1);
    const start = performance.now();
    let j = 0;
    for (let i = 0; i < 2e7; i++) j = next[j] ^ (i & 7);
    done(performance.now() - start + j * 0);`,
};

/** Milliseconds each of `threads` threads took for `work`, all started together. */
function timed(work: string, threads: number): Promise<number[]> {
  const code = `const {parentPort} = require("node:worker_threads"); const done = (ms) => parentPort.postMessage(ms);\n${work}`;
  return Promise.all(Array.from({length: threads}, () => new Promise<number>((resolve, reject) => new Worker(code, {eval: true}).on("message", resolve).on("error", reject))));
}

const cores = availableParallelism();
console.log(`${cores} cores, Node ${process.version}`);
for (const [name, work] of Object.entries(WORK)) {
  for (let round = 0; round < 2; round++) {
    const [alone] = await timed(work, 1);
    const together = await timed(work, cores);
    const slowest = Math.max(...together);
    console.log(`${name}: alone ${alone.toFixed(0)} ms; ${cores} at once ${together.map((ms) => ms.toFixed(0)).join(", ")} ms → ${((cores * alone) / slowest).toFixed(2)}× one core's work`);
  }
}
