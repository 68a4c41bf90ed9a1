// `npx tsx bench/parse.ts`: lines/s through the log-line parser alone, on one core.
// Input: the 10,000 real Combined lines of test/fixtures/real-logs repeated to BENCH_LINES
// (default 1,000,000). Each run parses every line and keeps a checksum, so nothing is optimised away.
import {availableParallelism, cpus} from "node:os";
import {lineParserFor} from "../data-loaders/parse/formats.js";
import {isParseError} from "../data-loaders/parse/log-format.js";
import {fixtureLines, REAL_LOG} from "../test/fixtures.js";

const TARGET_LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FORMAT = process.env.BENCH_FORMAT ?? "combined";

const real = fixtureLines(REAL_LOG);
const lines: string[] = [];
// Fresh strings (not 100 copies of the same 10,000), as lines read from a file would be.
while (lines.length < TARGET_LINES) for (const line of real) if (lines.length < TARGET_LINES) lines.push((" " + line).slice(1));

console.log(`# parse bench — node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model.trim()}), one core used`);
console.log(`input: ${lines.length.toLocaleString("en")} lines (${real.length.toLocaleString("en")} real Combined lines repeated), format ${FORMAT}`);

const parser = lineParserFor(FORMAT);
const rates: number[] = [];
for (let run = 1; run <= RUNS; run++) {
  let errors = 0;
  let checksum = 0;
  const start = process.hrtime.bigint();
  for (const line of lines) {
    const parsed = parser.parse(line);
    if (isParseError(parsed)) errors++;
    else checksum += (parsed.status ?? 0) + (parsed.bytes ?? 0) + (parsed.ts ?? 0) % 1000;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rate = lines.length / seconds;
  rates.push(rate);
  console.log(`run ${run}: ${seconds.toFixed(3)} s, ${Math.round(rate).toLocaleString("en")} lines/s (${errors} refused, checksum ${checksum})`);
}
rates.sort((a, b) => a - b);
console.log(`median: ${Math.round(rates[rates.length >> 1]).toLocaleString("en")} lines/s on one core (${availableParallelism()} available)`);
