// The site's tables in Node (data-loaders/site-database.ts), which the first views are answered
// from: its `events` has the rows and the derived columns (request class, own traffic) that the
// store's rows derived on their own give, and the Data quality page's counts are the sample's,
// though that database keeps the derived columns' lists as expressions (no in_clause rewrite) so
// that a count leaves them out. Over the bundled sample synced into a store, with the demo's
// ownTraffic rules.
import assert from "node:assert/strict";
import {existsSync, readFileSync} from "node:fs";
import {copyFile, rm, stat} from "node:fs/promises";
import {basename, dirname, join} from "node:path";
import {after, before, test} from "node:test";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {dailyAnswer, dailyAnswerFiles, removeAnswersNotAsked} from "../../data-loaders/daily-answers.js";
import {ALL_DAYS_VIEWS, allDaysView} from "../../data-loaders/contracts/all-days.js";
import {withDerivedColumns} from "../../data-loaders/derive/site-columns.js";
import {openSiteDatabase, type SiteDatabase} from "../../data-loaders/site-database.js";
import {dayRollupsFile, kindRollupsFiles, labelKindNames, rollupBlocks, rollupKindNames, rollupViewsDocumented, siteTables, storedDays} from "../../data-loaders/site-data.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {readManifest, segmentsOfKind} from "../../data-loaders/store/manifest.js";
import {temporaryPathFor} from "../../data-loaders/store/durable-file.js";
import {syncStore} from "../../data-loaders/sync.js";
import {sqlFileList, withDuckDB} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET, SAMPLE_DIR} from "../../scripts/demo.js";
import {seedBucket, type LocalS3} from "../../scripts/local-s3.js";
import {andWhere, DEFAULT_FILTER, whereClause} from "../../src/components/event-filter.js";
import * as dataQuality from "../../src/queries/data-quality.js";
import {NO_FILTER, rowsOf} from "../../src/queries/query.js";
import * as overview from "../../src/queries/index.js";
import * as security from "../../src/queries/security.js";
import * as traffic from "../../src/queries/traffic.js";
import * as userAgents from "../../src/queries/user-agents.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {startLocalS3AndFolder, stopLocalS3AndFolder} from "../support/local-s3-folder.js";

const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8"));

let s3: LocalS3;
let dir: string;
let site: SiteDatabase;
let config: WeblogConfig;

before(async () => {
  ({s3, dir} = await startLocalS3AndFolder("weblog-site-database-"));
  config = loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "store")));
  await seedBucket(createS3Client(config.source), DEMO_BUCKET, SAMPLE_DIR);
  await syncStore(config, {log: () => {}});
  site = await openSiteDatabase(config);
});

after(async () => {
  site?.close();
  await stopLocalS3AndFolder(s3, dir);
});

test("the Data quality page's first view counts the sample's events and rejected lines", async () => {
  assert.deepEqual(await site.rows(dataQuality.totals.sql, [...dataQuality.totals.params]), [{rejected: expected.rejected, parsed: expected.events}]);
  assert.deepEqual(await site.rows("SELECT count(*) AS parsed FROM events"), [{parsed: expected.events}]);
});

test("events has the sample's own traffic by rule", async () => {
  const rows = await site.rows("SELECT own_traffic_rule AS rule, count(*) AS n FROM events WHERE own_traffic GROUP BY ALL");
  assert.deepEqual(Object.fromEntries(rows.map((r) => [r.rule, r.n])), expected.classes.ownTrafficByRule);
});

test("events' derived columns are those of the store's rows derived in a DuckDB of its own, row for row", async () => {
  const columns = "s3_key, kafka_partition, kafka_offset, ts, client_ip, path, request_class, own_traffic, own_traffic_rule";
  const segments = segmentsOfKind(await readManifest(config.store), "events").map((s) => join(config.store, s.file));
  const derived = await withDuckDB({}, async (duckdb) => {
    const events = await withDerivedColumns(duckdb, config, `read_parquet(${sqlFileList(segments)})`);
    return (await duckdb.runAndReadAll(`SELECT ${columns} FROM ${events} ORDER BY ALL`)).getRowObjectsJS();
  });
  const ofSite = await site.rows(`SELECT ${columns} FROM events ORDER BY ALL`);
  assert.equal(ofSite.length, expected.events);
  assert.deepEqual(
    ofSite,
    derived.map((row) => Object.fromEntries(Object.entries(row).map(([name, value]) => [name, typeof value === "bigint" ? Number(value) : value]))),
  );
  assert.ok(new Set(ofSite.map((r) => r.request_class)).size >= 3, "the sample's paths fall in several classes");
});

test("`rollups` has every row of every day's rollups file, though each kind's files keep only the columns its rows have values in", async () => {
  const dayFiles = await Promise.all((await storedDays(config)).map((day) => dayRollupsFile(config, day)));
  const plain = (rows: Record<string, unknown>[]) => rows.map((row) => Object.fromEntries(Object.entries(row).map(([name, value]) => [name, typeof value === "bigint" ? Number(value) : value])));
  // A labels kind's rows repeat on each day (and block) the value was seen in: compared once each.
  const labels = labelKindNames().map((kind) => `'${kind}'`).join(", ");
  const everyRow = (rollups: string) => `SELECT DISTINCT * FROM ${rollups} WHERE kind IN (${labels}) UNION ALL SELECT * FROM ${rollups} WHERE kind NOT IN (${labels}) ORDER BY ALL`;
  const ofDays = await withDuckDB({}, async (duckdb) => plain((await duckdb.runAndReadAll(everyRow(`read_parquet(${sqlFileList(dayFiles)})`))).getRowObjectsJS()));
  const ofSite = await site.rows(everyRow("rollups"));
  assert.ok(ofDays.length > 1000, `the sample's days have rollups (${ofDays.length} rows)`);
  assert.deepEqual(ofSite, ofDays);
  assert.equal(new Set(ofSite.map((row) => row.kind)).size, rollupKindNames().length, "every kind has rows");
  // The hourly kind's file has no per-visitor column, which its rows never fill.
  const [hourFile] = (await kindRollupsFiles(config)).get("hour")!;
  const columns = await withDuckDB({}, async (duckdb) => (await duckdb.runAndReadAll(`SELECT name FROM parquet_schema(${sqlFileList([hourFile])})`)).getRowObjectsJS().map((row) => row.name));
  assert.ok(columns.includes("requests") && !columns.includes("visitor_id"), columns.join(", "));
});

test("the per-visitor and per-client kinds' files hold each instance's day ordered by its ids, which Parquet then stores delta-encoded, and the per-visitor bots' rows apart, then those of visitors with several rows that day", async () => {
  const files = await kindRollupsFiles(config);
  for (const [kind, id, order] of [["visitor", "visitor_id", "log_stream, is_bot, visitor_rows > 1, ts, visitor_id"], ["client", "client_id", "log_stream, ts, client_id"]]) {
    for (const file of files.get(kind)!) {
      await withDuckDB({}, async (duckdb) => {
        const read = async (sql: string) => (await duckdb.runAndReadAll(sql)).getRowObjectsJS();
        const source = `read_parquet(${sqlFileList([file])}, file_row_number = true)`;
        // Rows in the file's order against the same rows sorted: equal only when the file is in that order.
        const asStored = await read(`SELECT ${order} FROM ${source} ORDER BY file_row_number`);
        const sorted = await read(`SELECT ${order} FROM ${source} ORDER BY ${order}`);
        if (kind === "visitor") assert.ok(new Set(asStored.map((row) => row.is_bot)).size === 2, `${file}: the sample has bots' and others' rows in a block`);
        assert.ok(new Set(asStored.map((row) => row[id])).size > 10, `${file}: the sample has many ${id}s in a block`);
        assert.deepEqual(asStored, sorted, file);
        const [{encodings}] = await read(`SELECT string_agg(DISTINCT encodings, ' ') AS encodings FROM parquet_metadata(${sqlFileList([file])}) WHERE path_in_schema = '${id}'`);
        assert.match(String(encodings), /DELTA_BINARY_PACKED/, `${file}: ${id} written as ${encodings}`);
      });
    }
  }
});

test("each rollup view has the columns docs/writing-pages.md's table lists, in its order", async () => {
  for (const {view, columns} of rollupViewsDocumented()) {
    const described = await site.rows(`SELECT column_name FROM (DESCRIBE ${view})`);
    // The table's `ts (the day)` is the column `ts`.
    assert.deepEqual(described.map((row) => row.column_name), columns.map((c) => c.split(" ")[0]), view);
  }
});

test("each all-days view gives, under every filter that keeps every day, what its per-day view gives, and the pages' queries read it only then", async () => {
  // Every view of ALL_DAYS_VIEWS has its all-days view among the views the site defines.
  const allDaysViews = Object.fromEntries(ALL_DAYS_VIEWS.map((view) => [view, allDaysView(view)]));
  assert.deepEqual(Object.values(allDaysViews).filter((view) => view in siteTables().rollupViews).sort(), ALL_DAYS_VIEWS.map((view) => `${view}_all_days`).sort());
  const [first, second] = expected.instances.map((i: {log_stream: string}) => i.log_stream);
  const oneDay = new Date(`${(await storedDays(config)).find((d) => d.day !== "undated")!.day}T00:00:00Z`);
  const everyDay = [
    DEFAULT_FILTER,
    {...DEFAULT_FILTER, instance: first, bots: "exclude" as const},
    {...DEFAULT_FILTER, instance: second, statuses: ["4xx", "5xx"]},
    {...DEFAULT_FILTER, classes: ["page"], bots: "only" as const, ownTraffic: "show" as const},
  ];
  for (const [view, allDays] of Object.entries(allDaysViews)) {
    const columns = (await site.rows(`SELECT column_name FROM (DESCRIBE ${allDays})`)).map((row) => row.column_name as string);
    const keys = columns.filter((c) => !["requests", "bytes", "first_ts", "last_ts"].includes(c));
    const measures = `sum(requests) AS requests, sum(bytes) AS bytes${columns.includes("first_ts") ? ", min(first_ts) AS first_ts, max(last_ts) AS last_ts" : ""}`;
    const summed = (from: string, where: {sql: string; params: readonly unknown[]}) =>
      site.rows(`SELECT ${keys.join(", ")}, ${measures} FROM ${from} ${where.sql} GROUP BY ALL ORDER BY ALL`, where.params);
    for (const filter of everyDay) {
      const where = whereClause(filter);
      assert.equal(where.allDays, true);
      const rows = await summed(allDays, where);
      assert.ok(rows.length > 0, `${allDays} under ${JSON.stringify(filter)}`);
      assert.deepEqual(rows, await summed(view, where), `${allDays} under ${JSON.stringify(filter)}`);
    }
    // Fewer rows: the sample's days added together.
    const [{perDay, together}] = await site.rows(`SELECT (SELECT count(*) FROM ${view}) AS perDay, (SELECT count(*) FROM ${allDays}) AS together`);
    assert.ok(Number(together) < Number(perDay), `${allDays}: ${together} rows against ${perDay}`);
  }
  // A view without an all-days version is an error whatever the filter, not only once no days are picked.
  for (const where of [NO_FILTER, whereClause({...DEFAULT_FILTER, from: oneDay, to: oneDay})]) assert.throws(() => rowsOf(where, "requests_by_visitor"), /requests_by_visitor has no all-days view/);
  // A page's query under a filter that names a day reads the per-day view; under one that keeps every day, the all-days view; the same answer as `events` either way.
  for (const filter of [...everyDay, {...DEFAULT_FILTER, from: oneDay, to: oneDay}, {...DEFAULT_FILTER, instance: first, from: oneDay}]) {
    const where = whereClause(filter);
    const asked = userAgents.agentStrings(where);
    assert.equal(asked.sql.includes("requests_by_agent_all_days"), where.allDays, JSON.stringify(filter));
    const ofEvents = await site.rows(
      `SELECT user_agent AS text, count(*) AS requests FROM events ${andWhere(where, "user_agent IS NOT NULL")} GROUP BY user_agent ORDER BY requests DESC, text LIMIT 40`,
      where.params,
    );
    assert.ok(ofEvents.length > 0, JSON.stringify(filter));
    assert.deepEqual(await site.rows(asked.sql, asked.params), ofEvents, JSON.stringify(filter));
  }
});

test("the Security page's clients, networks and bursts of errors, each a sum by path or client counted after, are those of `events` under each filter", async () => {
  const [first, second] = expected.instances.map((i: {log_stream: string}) => i.log_stream);
  const filters = [DEFAULT_FILTER, {...DEFAULT_FILTER, instance: first, bots: "exclude" as const}, {...DEFAULT_FILTER, instance: second, statuses: ["4xx"]}];
  const rows = async (question: {sql: string; params: readonly unknown[]}) => site.rows(question.sql, question.params);
  let botsAmongThem = false;
  for (const filter of filters) {
    const where = whereClause(filter);
    const fourHundreds = andWhere(where, "status BETWEEN 400 AND 499");
    // A client's country, network and bot are the least of its rows' (GeoLite2 may have placed it twice; it may send two bots' agents).
    const clientsOfEvents = await site.rows(
      `SELECT client_ip, min(country) AS country, min(as_org) AS network, count(*) AS errors, count(DISTINCT path) AS paths, min(bot_name) AS bot FROM events ${fourHundreds} GROUP BY client_ip ORDER BY errors DESC, client_ip LIMIT 15`,
      where.params,
    );
    assert.ok(clientsOfEvents.length > 0, JSON.stringify(filter));
    botsAmongThem ||= clientsOfEvents.some((client) => client.bot !== null);
    assert.deepEqual(await rows(security.clients4xx(where)), clientsOfEvents, JSON.stringify(filter));
    const networksOfEvents = await site.rows(
      `SELECT coalesce(as_org, 'Unknown network (no ASN database)') AS network, count(*) AS errors, count(DISTINCT client_ip) AS clients FROM events ${fourHundreds} GROUP BY ALL ORDER BY errors DESC, network LIMIT 10`,
      where.params,
    );
    assert.deepEqual(await rows(security.networks4xx(where)), networksOfEvents, JSON.stringify(filter));
    const burstsOfEvents = await site.rows(
      `SELECT client_ip, date_trunc('minute', ts) AS minute, count(*) AS errors, count(DISTINCT path) AS paths FROM events ${andWhere(where, "status >= 400 AND ts IS NOT NULL")} GROUP BY ALL HAVING count(*) >= 2 ORDER BY errors DESC, minute, client_ip LIMIT 15`,
      where.params,
    );
    assert.ok(burstsOfEvents.length > 0, JSON.stringify(filter));
    assert.deepEqual(await rows(security.bursts(where)), burstsOfEvents, JSON.stringify(filter));
  }
  assert.ok(botsAmongThem, "the sample's clients behind most 4xx include bots, whose names are compared");
});

test("visitors, addresses and bots' clients, counted by their numbers (per day: as rows where a visitor has one that day), are the distinct visitors and addresses of `events` under each filter", async () => {
  // visitor_rows is how many rows the visitor has that day in its kind; some of the sample's visitors have several.
  const [{wrong, several}] = await site.rows(
    "SELECT count(*) FILTER (WHERE visitor_rows IS DISTINCT FROM n) AS wrong, count(*) FILTER (WHERE visitor_rows > 1) AS several FROM (SELECT visitor_rows, count(*) OVER (PARTITION BY ts, visitor_id) AS n FROM requests_by_visitor)",
  );
  assert.equal(wrong, 0);
  assert.ok((several as number) > 0, "the sample has visitors with several rows in a day");
  const [first, second] = expected.instances.map((i: {log_stream: string}) => i.log_stream);
  const oneDay = new Date(`${(await storedDays(config)).find((d) => d.day !== "undated")!.day}T00:00:00Z`);
  const filters = [
    DEFAULT_FILTER,
    {...DEFAULT_FILTER, instance: first, bots: "exclude" as const},
    {...DEFAULT_FILTER, instance: second, statuses: ["4xx"]},
    {...DEFAULT_FILTER, classes: ["page"], bots: "only" as const, from: oneDay, to: oneDay},
  ];
  for (const filter of filters) {
    const where = whereClause(filter);
    const ofEvents = await site.rows(
      `SELECT date_trunc('day', ts) AS day, count(DISTINCT (client_ip, user_agent)) AS visitors FROM events ${andWhere(where, "ts IS NOT NULL")} GROUP BY 1 ORDER BY 1`,
      where.params,
    );
    assert.ok(ofEvents.length > 0, JSON.stringify(filter));
    const perDay = await traffic.visitorsPerDay(where, (question) => site.rows(question.sql, question.params));
    assert.deepEqual(perDay, ofEvents.map((row) => ({day: row.day, visitors: Number(row.visitors)})), JSON.stringify(filter));
    // The Overview's visitors and clients over the whole period.
    const [whole] = await site.rows(`SELECT count(DISTINCT (client_ip, user_agent)) AS visitors, count(DISTINCT client_ip) AS clients FROM events ${where.sql}`, where.params);
    const totals = overview.periodVisitors(where);
    const clients = overview.clients(where);
    const [[{visitors}], [ofClients]] = await Promise.all([site.rows(totals.sql, totals.params), site.rows(clients.sql, clients.params)]);
    assert.deepEqual({visitors, clients: ofClients.clients}, whole, JSON.stringify(filter));
    // The Security page's bots with their clients, by number.
    const bots = await security.bots(where, (question) => site.rows(question.sql, question.params));
    const botsOfEvents = await site.rows(
      `SELECT coalesce(bot_name, 'unnamed') AS bot, count(*) AS requests, count(DISTINCT client_ip) AS clients FROM events ${andWhere(where, "is_bot")} GROUP BY ALL ORDER BY requests DESC, bot LIMIT 20`,
      where.params,
    );
    assert.deepEqual(bots, botsOfEvents.map((row) => ({bot: row.bot, requests: Number(row.requests), clients: Number(row.clients)})), JSON.stringify(filter));
  }
  // Some of the sample's bots have no name: their row (bot_id NULL) is joined to its clients too.
  const [{unnamed}] = await site.rows("SELECT count(*) AS unnamed FROM events WHERE is_bot AND bot_name IS NULL");
  assert.ok((unnamed as number) > 0, "the sample has bots without a name");
  // The numbers are dense: 1 to the number of visitors and of addresses ever seen.
  const [ids] = await site.rows("SELECT min(visitor_id) AS first, max(visitor_id) AS last, count(DISTINCT visitor_id) AS n FROM requests_by_visitor");
  assert.deepEqual(ids, {first: 1, last: ids.n, n: ids.n});
});

test("visitors per day, answered a block of days at a time and each block's answer kept, is the answer over the whole history", async () => {
  const blocks = rollupBlocks(await storedDays(config));
  assert.ok(blocks.length >= 2, `the sample's days fall in several blocks (${blocks.map((b) => b.name).join(", ")})`);
  const oneInstance = whereClause({...DEFAULT_FILTER, instance: expected.instances[0].log_stream, bots: "exclude"});
  for (const where of [NO_FILTER, oneInstance]) for (const question of [traffic.oneRowVisitorsPerDay(where), traffic.moreRowsVisitorsPerDay(where)]) {
    assert.equal(question.perDay, true);
    const whole = await site.rows(question.sql, question.params);
    assert.ok(new Set(whole.map((row) => (row.day as Date).toISOString().slice(0, 10)).map((day) => blocks.findIndex((b) => b.days.some((d) => d.day === day)))).size >= 2, "the answer's days are in several blocks");
    assert.deepEqual(await dailyAnswer(config, site, question), whole);
  }
  // Kept: asked again, the blocks' answers are the same files, not made again; an answer of a block no longer in the store is removed.
  const question = traffic.oneRowVisitorsPerDay(NO_FILTER);
  const files = await dailyAnswerFiles(config, question);
  assert.equal(files.length, blocks.length);
  const madeAt = await Promise.all(files.map((file) => stat(file).then((s) => s.mtimeMs)));
  const gone = join(dirname(files[0]), `1999-01.0123456789abcdef.${basename(files[0]).split(".")[2]}.parquet`);
  await copyFile(files[0], gone);
  assert.deepEqual(await dailyAnswerFiles(config, question), files);
  assert.deepEqual(await Promise.all(files.map((file) => stat(file).then((s) => s.mtimeMs))), madeAt);
  assert.equal(existsSync(gone), false);

  // A question no page asks any more (as when its text is edited) loses its kept answers; the asked one keeps its own.
  const edited = await dailyAnswerFiles(config, traffic.oneRowVisitorsPerDay(oneInstance));
  assert.ok(edited.every((file) => existsSync(file)) && edited.every((file) => !files.includes(file)));
  await removeAnswersNotAsked(config, [question]);
  assert.deepEqual(edited.filter((file) => existsSync(file)), []);
  assert.deepEqual(await Promise.all(files.map((file) => stat(file).then((s) => s.mtimeMs))), madeAt);
});

test("two questions' block answers made at the same time: neither removes the answer the other is writing", async () => {
  // The first views ask Traffic's two parts of visitors per day together. A write in progress is a
  // temporary file beside the answers: one of a current block stays, one of a block gone is removed.
  const question = traffic.moreRowsVisitorsPerDay(NO_FILTER);
  const [file] = await dailyAnswerFiles(config, question);
  const writing = temporaryPathFor(file);
  const stale = temporaryPathFor(join(dirname(file), `1999-01.0123456789abcdef.${basename(file).split(".").at(-2)}.parquet`));
  await copyFile(file, writing);
  await copyFile(file, stale);
  await dailyAnswerFiles(config, traffic.oneRowVisitorsPerDay(NO_FILTER));
  assert.equal(existsSync(writing), true, "the other question's write in progress is left alone");
  assert.equal(existsSync(stale), false, "a leftover of a block no longer in the store is removed");
  await rm(writing);
  // And for real: both questions' answers made again, side by side.
  const files = [...(await dailyAnswerFiles(config, question)), ...(await dailyAnswerFiles(config, traffic.oneRowVisitorsPerDay(NO_FILTER)))];
  await Promise.all(files.map((made) => rm(made)));
  const [one, more] = await Promise.all([traffic.oneRowVisitorsPerDay(NO_FILTER), question].map((asked) => dailyAnswerFiles(config, asked)));
  assert.deepEqual([...one, ...more].filter((made) => !existsSync(made)), []);
});
