// Micro-benchmark of the enrichers: lookups per second for GeoLite2 City (the bundled build) and for
// the user-agent classifier, over the client IPs and agents of the 10,000 real lines repeated to ~1M.
// Figures for people to read; nothing here asserts a time. Run: npx tsx bench/enrich.ts
import {isIP} from "node:net";
import {availableParallelism, tmpdir} from "node:os";
import {join} from "node:path";
import maxmind, {type CityResponse} from "maxmind";
import {bundledGeoLite2City} from "../data-loaders/enrich/bundled-geolite2.js";
import {DEFAULT_GEO_CACHE_SIZE, NO_GEO, geoFieldsFromRecords, openGeoIp, type GeoIp} from "../data-loaders/enrich/geoip.js";
import {createUserAgentClassifier} from "../data-loaders/enrich/user-agent.js";
import type {GeoFields, UserAgentFields} from "../data-loaders/event.js";
import {fixtureLines, REAL_LOG} from "../test/fixtures.js";

const TARGET_LOOKUPS = 1_000_000;
const CORES = availableParallelism();

const lines = fixtureLines(REAL_LOG);
// Cut the simple way, as a quick look at a log would: first field, sixth quoted field.
const clients = lines.map((line) => line.split(" ", 1)[0]);
const agents = lines.map((line) => line.split('"')[5] ?? null);
const passes = Math.round(TARGET_LOOKUPS / lines.length);

const cityPath = await bundledGeoLite2City(process.env.WEBLOG_GEOIP_DIR ?? join(tmpdir(), "weblog-bench-geoip"));

console.log(
  `# ${lines.length} lines (${new Set(clients).size} distinct clients, ${new Set(agents).size} distinct agents) × ${passes} passes; ` +
    `node ${process.version}, availableParallelism=${CORES}`,
);

/** Runs `lookup` over `values` `passes` times, with `fresh()` giving the lookup to use for each pass. */
async function measure<V, R>(label: string, values: readonly V[], fresh: () => Promise<(value: V) => R> | ((value: V) => R)): Promise<void> {
  let elapsed = 0n;
  let answered = 0;
  const reused = await fresh();
  const isCold = label.includes("cold");
  for (let pass = 0; pass < passes; pass++) {
    const lookup = isCold ? await fresh() : reused;
    const start = process.hrtime.bigint();
    for (const value of values) if (lookup(value) !== null) answered++;
    elapsed += process.hrtime.bigint() - start;
  }
  const seconds = Number(elapsed) / 1e9;
  const lookups = passes * values.length;
  console.log(
    `${label.padEnd(52)} ${Math.round(lookups / seconds).toLocaleString("en-US").padStart(12)} lookups/s  ` +
      `(${lookups.toLocaleString("en-US")} in ${(seconds * 1000).toFixed(0)} ms, availableParallelism=${CORES})`,
  );
  if (answered !== lookups) throw new Error("a lookup returned null"); // keeps the work observable
}

async function geo(cacheSize: number): Promise<(ip: string) => GeoFields> {
  const geoip: GeoIp = await openGeoIp({city: cityPath, asn: null}, {cacheSize});
  return (ip) => geoip.lookup(ip);
}

/**
 * The alternative measured against ours: maxmind.open's own LRU as the only cache. It remembers decoded
 * records by their offset in the file, so every lookup still parses the address and walks the tree;
 * our fields are interned per record, the cheapest way to use it without allocating per lookup.
 */
async function geoWithMaxmindLru(): Promise<(ip: string) => GeoFields> {
  const reader = await maxmind.open<CityResponse>(cityPath, {cache: {max: DEFAULT_GEO_CACHE_SIZE}});
  const fieldsByRecord = new WeakMap<CityResponse, GeoFields>();
  return (ip) => {
    if (isIP(ip) === 0) return NO_GEO;
    const record = reader.get(ip);
    if (record === null) return NO_GEO;
    let fields = fieldsByRecord.get(record);
    if (fields === undefined) fieldsByRecord.set(record, (fields = Object.freeze(geoFieldsFromRecords(record, null))));
    return fields;
  };
}

function userAgents(cacheSize?: number): (agent: string | null) => UserAgentFields {
  return createUserAgentClassifier(cacheSize === undefined ? {} : {cacheSize});
}

// Warm-up so the first figure does not pay for JIT compilation alone.
for (const lookup of [await geo(0), userAgents(0)] as Array<(value: string) => unknown>) for (const value of clients.slice(0, 2_000)) lookup(value);

await measure("geo: no address cache (every lookup walks the tree)", clients, () => geo(0));
await measure("geo: cold (fresh cache for each 10,000-line pass)", clients, () => geo(DEFAULT_GEO_CACHE_SIZE));
await measure("geo: warm (address cache)", clients, () => geo(DEFAULT_GEO_CACHE_SIZE));
await measure("geo: warm (maxmind's LRU instead, for comparison)", clients, geoWithMaxmindLru);
await measure("user agent: no cache (every lookup parses)", agents, () => userAgents(0));
await measure("user agent: cold (fresh cache for each 10,000-line pass)", agents, () => userAgents());
await measure("user agent: warm", agents, () => userAgents());
