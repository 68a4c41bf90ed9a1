// The per-client rows carry numbers only and the clients' labels (address and GeoLite2 place)
// ship once per block (data-loaders/site-data.ts: the client and client_place kinds,
// rollups/client-place.ts): `requests_by_client`, the two joined, is still exactly the rows the
// kind had when it carried the strings, and the shipped queries that join the labels after
// summing give what `events` gives. Over the bundled sample synced into a store, with one client
// placed twice (as when GeoLite2 is updated between two syncs), one request with no address, and
// two clients given addresses the sample lacks: an IPv6 address written out in full and a host name.
import assert from "node:assert/strict";
import {readFile, rename} from "node:fs/promises";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {kindRollupsFiles} from "../../data-loaders/site-data.js";
import {openSiteDatabase, type SiteDatabase} from "../../data-loaders/site-database.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {readManifest, segmentsOfKind} from "../../data-loaders/store/manifest.js";
import {syncStore} from "../../data-loaders/sync.js";
import {sqlString, withDuckDB} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET, SAMPLE_DIR} from "../../scripts/demo.js";
import {seedBucket, type LocalS3} from "../../scripts/local-s3.js";
import {FILTER_COLUMN_LIST} from "../../data-loaders/contracts/filter-columns.js";
import {networkSql} from "../../data-loaders/contracts/network.js";
import * as geography from "../../src/queries/geography.js";
import * as overview from "../../src/queries/index.js";
import {NO_FILTER} from "../../src/queries/query.js";
import * as talkers from "../../src/queries/top-talkers.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {startLocalS3AndFolder, stopLocalS3AndFolder} from "../support/local-s3-folder.js";

let s3: LocalS3;
let dir: string;
let site: SiteDatabase;
let config: WeblogConfig;
/** The client given a second place, and the place. */
let moved: {client: string; country: string};
/** The sample's IPv6 clients, which share a /48 (sample/expected.json). */
let ipv6Network: {network: string; clients: string[]};
/** Addresses two of the sample's clients are given instead of theirs: spellings the sample has none of. */
const RENAMED = {fullIpv6: "2001:0DB8:0ABC:0001:0000:0000:0000:0001", hostName: "crawler.example.net"};

/** The per-client kind's rows as they were made before the labels moved out: what requests_by_client must still give. */
const CLIENT_ROWS_OF_EVENTS = `
  SELECT date_trunc('day', ts) AS ts, ${FILTER_COLUMN_LIST.replace(/^ts, /, "")}, client_ip, country, country_code, city, latitude, longitude, asn, as_org,
         count(*) AS requests, sum(bytes) AS bytes, min(ts) AS first_ts, max(ts) AS last_ts
  FROM events GROUP BY ALL`;

before(async () => {
  ({s3, dir} = await startLocalS3AndFolder("weblog-client-labels-"));
  config = loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "store")));
  await seedBucket(createS3Client(config.source), DEMO_BUCKET, SAMPLE_DIR);
  await syncStore(config, {log: () => {}});
  ipv6Network = JSON.parse(await readFile(join(PROJECT_DIR, "sample/expected.json"), "utf8")).visits.ipv6Network;
  // Half the requests of the busiest located client placed elsewhere (another client's place, in
  // another country), and one request of another client with no address: the store's segments
  // rewritten in place, row for row.
  const segments = segmentsOfKind(await readManifest(config.store), "events").map((s) => join(config.store, s.file));
  moved = await withDuckDB({}, async (duckdb) => {
    const events = `read_parquet([${segments.map(sqlString).join(", ")}])`;
    const [[client, country]] = (await duckdb.runAndReadAll(`SELECT client_ip, any_value(country) FROM ${events} WHERE country IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)).getRowsJS() as [string, string][];
    const [elsewhere] = (
      await duckdb.runAndReadAll(`SELECT country, country_code, city, latitude, longitude FROM ${events} WHERE country IS NOT NULL AND country <> ${sqlString(country)} AND city IS NOT NULL ORDER BY client_ip LIMIT 1`)
    ).getRowObjectsJS();
    const [[unnamed, offset]] = (await duckdb.runAndReadAll(`SELECT client_ip, min(kafka_offset) FROM ${events} WHERE client_ip <> ${sqlString(client)} GROUP BY 1 ORDER BY 1 LIMIT 1`)).getRowsJS();
    const second = `client_ip = ${sqlString(client)} AND kafka_offset % 2 = 0`;
    const noAddress = `client_ip = ${sqlString(String(unnamed))} AND kafka_offset = ${offset}`;
    // The two busiest other IPv4 clients, every request of each, given the addresses of RENAMED.
    const [[toHost], [toFull]] = (
      await duckdb.runAndReadAll(
        `SELECT client_ip FROM ${events} WHERE client_ip NOT IN (${sqlString(client)}, ${sqlString(String(unnamed))}) AND regexp_matches(client_ip, '^[0-9.]+$') GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2`,
      )
    ).getRowsJS() as [string][];
    const address = `CASE WHEN ${noAddress} THEN NULL WHEN client_ip = ${sqlString(toFull)} THEN ${sqlString(RENAMED.fullIpv6)} WHEN client_ip = ${sqlString(toHost)} THEN ${sqlString(RENAMED.hostName)} ELSE client_ip END AS client_ip`;
    // The sample has no GeoLite2 ASN: its IPv4 clients given one of three example systems by their last digit, the rest none.
    const system = `CASE WHEN ${noAddress} OR NOT regexp_matches(client_ip, '^[0-9.]+$') THEN NULL ELSE 64496 + CAST(right(client_ip, 1) AS INTEGER) % 3 END`;
    const systems = `${system} AS asn, 'Example AS ' || (${system}) AS as_org`;
    const place = (column: keyof typeof elsewhere) => `CASE WHEN ${second} THEN ${typeof elsewhere[column] === "string" ? sqlString(String(elsewhere[column])) : `${elsewhere[column]}::DOUBLE`} WHEN ${noAddress} THEN NULL ELSE ${column} END AS ${column}`;
    for (const file of segments) {
      await duckdb.run(
        `COPY (SELECT * REPLACE (${address}, ${(["country", "country_code", "city", "latitude", "longitude"] as const).map(place).join(", ")}, ${systems}) FROM read_parquet(${sqlString(file)})) TO ${sqlString(`${file}.new`)} (FORMAT parquet)`,
      );
      await rename(`${file}.new`, file);
    }
    return {client, country: String(elsewhere.country)};
  });
  site = await openSiteDatabase(config);
});

after(async () => {
  site?.close();
  await stopLocalS3AndFolder(s3, dir);
});

const count = (rows: Record<string, unknown>[]) => Number(rows[0].n);

test("requests_by_client is the rows the per-client kind had with its strings: same columns, same rows, a client placed twice on two rows", async () => {
  const columns = (await site.rows("SELECT column_name FROM (DESCRIBE requests_by_client)")).map((r) => r.column_name);
  assert.deepEqual(columns, [...FILTER_COLUMN_LIST.split(", "), "client_ip", "client_id", "country", "country_code", "city", "latitude", "longitude", "asn", "as_org", "requests", "bytes", "first_ts", "last_ts"]);
  const view = "SELECT * EXCLUDE (client_id) FROM requests_by_client";
  assert.equal(count(await site.rows(`SELECT count(*) AS n FROM (${view} EXCEPT ALL ${CLIENT_ROWS_OF_EVENTS})`)), 0);
  assert.equal(count(await site.rows(`SELECT count(*) AS n FROM (${CLIENT_ROWS_OF_EVENTS} EXCEPT ALL ${view})`)), 0);
  assert.ok(count(await site.rows(`SELECT count(*) AS n FROM (${CLIENT_ROWS_OF_EVENTS})`)) > 100);
  // The two places of one client, and the request with no address, are there.
  const places = await site.rows(`SELECT DISTINCT country FROM requests_by_client WHERE client_ip = ?`, [moved.client]);
  assert.equal(places.length, 2);
  assert.equal(count(await site.rows("SELECT count(*) AS n FROM requests_by_client WHERE client_ip IS NULL")), 1);
  // One number per address, whatever its places.
  assert.deepEqual(await site.rows("SELECT client_ip FROM requests_by_client WHERE client_ip IS NOT NULL GROUP BY client_ip HAVING count(DISTINCT client_id) <> 1"), []);
});

test("the lean per-client rows hold numbers and filter columns only; each block ships a place once", async () => {
  const types = Object.fromEntries((await site.rows("SELECT column_name, column_type FROM (DESCRIBE requests_by_client_id)")).map((r) => [r.column_name, r.column_type]));
  assert.deepEqual(Object.keys(types), [...FILTER_COLUMN_LIST.split(", "), "client_id", "place_id", "requests", "bytes", "first_ts", "last_ts"]);
  assert.equal(types.place_id, "INTEGER");
  const labels = (await kindRollupsFiles(config)).get("client_place")!;
  assert.ok(labels.length >= 2, "the sample's days fall in two blocks");
  for (const file of labels) {
    const [row] = await site.rows(`SELECT count(*) AS n, count(DISTINCT place_id) AS places FROM read_parquet(${sqlString(file)})`);
    assert.equal(row.n, row.places, file);
  }
  const [row] = await site.rows("SELECT count(*) AS n, count(DISTINCT place_id) AS places FROM client_places");
  assert.equal(row.n, row.places);
});

test("each place's network is network.ts's over its address: IPv4, IPv6 compressed or written in full, none for a host name", async () => {
  const places = await site.rows(`SELECT client_ip, network, ${networkSql()} AS expected FROM client_places`);
  for (const place of places) assert.equal(place.network, place.expected, String(place.client_ip));
  const networkOf = (address: string) => {
    const found = places.filter((p) => p.client_ip === address);
    assert.ok(found.length > 0, `${address} is a client`);
    return found[0].network;
  };
  assert.equal(networkOf(RENAMED.fullIpv6), "2001:db8:abc::/48");
  for (const address of ipv6Network.clients) assert.equal(networkOf(address), ipv6Network.network, address);
  assert.equal(networkOf(RENAMED.hostName), null);
  const ipv4 = places.find((p) => /^\d+\.\d+\.\d+\.\d+$/.test(String(p.client_ip)))!;
  assert.equal(ipv4.network, String(ipv4.client_ip).replace(/\.\d+$/, ".0/24"));
  // The place with no address has no network.
  assert.equal(count(await site.rows("SELECT count(*) AS n FROM client_places WHERE client_ip IS NULL AND network IS NULL")), 1);
});

test("the shipped queries that join the labels after summing give what events give", async () => {
  // The default filter leaves your own traffic out; count(DISTINCT client_ip) leaves out the request with no address, as count(DISTINCT client_id) does.
  const [clients] = await site.rows(overview.clients(NO_FILTER).sql, overview.clients(NO_FILTER).params);
  const [distinct] = await site.rows("SELECT count(DISTINCT client_ip) AS n FROM events WHERE NOT own_traffic");
  assert.equal(clients.clients, distinct.n);

  const countries = await site.rows(geography.countries(NO_FILTER).sql, geography.countries(NO_FILTER).params);
  const countriesOfEvents = await site.rows(
    "SELECT country, count(*) AS requests, count(DISTINCT client_ip) AS clients FROM events WHERE NOT own_traffic AND country IS NOT NULL GROUP BY country ORDER BY requests DESC, country",
  );
  assert.deepEqual(countries.map(({country, requests, clients}) => ({country, requests, clients})), countriesOfEvents);
  assert.ok(countries.some((c) => c.country === moved.country));

  const cities = await site.rows(geography.cities(NO_FILTER).sql, geography.cities(NO_FILTER).params);
  const citiesOfEvents = await site.rows("SELECT city, country, count(*) AS requests FROM events WHERE NOT own_traffic AND city IS NOT NULL AND latitude IS NOT NULL GROUP BY city, country ORDER BY requests DESC, city LIMIT 300");
  assert.deepEqual(cities.map(({city, country, requests}) => ({city, country, requests})), citiesOfEvents);

  const rankings = await site.rows(talkers.clients(NO_FILTER).sql, talkers.clients(NO_FILTER).params);
  for (const order of talkers.TALKER_ORDERS) {
    const top = talkers.rankedBy(rankings, order);
    const topOfEvents = await site.rows(
      `SELECT client_ip AS client, count(*) AS requests, sum(bytes) AS bytes, min(ts) AS first_seen, max(ts) AS last_seen FROM events WHERE NOT own_traffic GROUP BY 1 ORDER BY ${order} DESC NULLS LAST, client LIMIT 15`,
    );
    assert.deepEqual(top.map(({client, requests, bytes, first_seen, last_seen}) => ({client, requests, bytes, first_seen, last_seen})), topOfEvents, order);

    // Networks by their label: clients are distinct addresses (the request with no address counts none), host names one
    // group. Every network, not the 15 the page shows, so that the host names are compared too.
    // (The query keeps each order's first 15 by the measure, with their ties, then ranks them: both cuts left out.)
    const everyNetwork = talkers.networks(NO_FILTER);
    const cuts = [/WHERE measure_rank <= 15\s/, /WHERE rank <= 15\s/];
    for (const cut of cuts) assert.match(everyNetwork.sql, cut);
    const networks = talkers.rankedBy(await site.rows(cuts.reduce((sql, cut) => sql.replace(cut, ""), everyNetwork.sql), everyNetwork.params), order);
    const networksOfEvents = await site.rows(
      `SELECT coalesce(${networkSql()}, '(host names)') AS network, count(DISTINCT client_ip) AS clients, count(*) AS requests, sum(bytes) AS bytes,
              count(*) FILTER (WHERE status >= 400) / count(*) AS error_rate, min(ts) AS first_seen, max(ts) AS last_seen
       FROM events WHERE NOT own_traffic GROUP BY 1 ORDER BY ${order} DESC NULLS LAST, network`,
    );
    const exact = ({network, clients, requests, bytes, first_seen, last_seen}: Record<string, unknown>) => ({network, clients, requests, bytes, first_seen, last_seen});
    assert.deepEqual(networks.map(exact), networksOfEvents.map(exact), `networks by ${order}`);
    networks.forEach((n, i) => assert.ok(Math.abs(Number(n.error_rate) - Number(networksOfEvents[i].error_rate)) < 1e-12, String(n.network)));
    assert.ok(networks.some((n) => n.network === "(host names)"), "the host name is among the networks");
  }

  // Autonomous systems: every one, not the 15 the page shows; the share is of every request.
  const everySystem = talkers.autonomousSystems(NO_FILTER);
  assert.match(everySystem.sql, /LIMIT 15\s*$/);
  const systems = await site.rows(everySystem.sql.replace(/LIMIT 15\s*$/, ""), everySystem.params);
  const systemsOfEvents = await site.rows(
    `SELECT asn, any_value(as_org) AS organisation, count(DISTINCT client_ip) AS clients, count(*) AS requests, sum(bytes) AS bytes,
            count(*) / (SELECT count(*) FROM events WHERE NOT own_traffic) AS share, count(*) FILTER (WHERE status >= 400) / count(*) AS error_rate,
            min(ts) AS first_seen, max(ts) AS last_seen
     FROM events WHERE NOT own_traffic AND asn IS NOT NULL GROUP BY asn ORDER BY requests DESC, asn`,
  );
  assert.equal(systems.length, 3, "the three example systems");
  const exactSystem = ({asn, organisation, clients, requests, bytes, first_seen, last_seen}: Record<string, unknown>) => ({asn, organisation, clients, requests, bytes, first_seen, last_seen});
  assert.deepEqual(systems.map(exactSystem), systemsOfEvents.map(exactSystem));
  systems.forEach((a, i) => {
    for (const ratio of ["share", "error_rate"]) assert.ok(Math.abs(Number(a[ratio]) - Number(systemsOfEvents[i][ratio])) < 1e-12, `AS${a.asn} ${ratio}`);
  });
});

test("docs/writing-pages.md's example of the lean rows joined to their labels gives what events give", async () => {
  const doc = await readFile(join(PROJECT_DIR, "docs/writing-pages.md"), "utf8");
  const example = doc.match(/The busiest clients with their country:\n\n```sql\n([\s\S]*?)```/)?.[1];
  assert.ok(example, "the example is in docs/writing-pages.md");
  const rows = await site.rows(example);
  const ofEvents = await site.rows("SELECT client_ip, any_value(country) AS country, count(*) AS requests FROM events WHERE NOT own_traffic GROUP BY client_ip ORDER BY requests DESC, client_ip LIMIT 10");
  assert.deepEqual(rows.map(({client_ip, requests}) => ({client_ip, requests})), ofEvents.map(({client_ip, requests}) => ({client_ip, requests})));
  // The moved client has two countries; every other client one, which the example shows.
  for (const row of rows.filter((r) => r.client_ip !== moved.client)) assert.equal(row.country, ofEvents.find((e) => e.client_ip === row.client_ip)!.country);
});
