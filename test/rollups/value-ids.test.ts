// The ids the rollups give client addresses and agent strings (data-loaders/rollups/value-ids.ts),
// against DuckDB and a store folder: exact (one per value, never shared), the same for a value
// in every day numbered, never renumbered when later days bring new values, and a visitor's
// number distinct exactly when its (address, agent) pair is, missing values included, and dense.
import assert from "node:assert/strict";
import {mkdtemp, readdir, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {numberValues, valueIdsGeneration, withAllIds} from "../../data-loaders/rollups/value-ids.js";
import {withDuckDB} from "../../data-loaders/write/duckdb.js";

type Row = [client: string | null, agent: string | null];
/** The numbered columns these days have (a client's place is numbered like an address: test/rollups/client-labels.test.ts). */
const DAY_COLUMNS = ["client_ip", "user_agent"] as const;

/** Numbers one day's rows as the day's rollups do, and gives each row's ids. */
async function numberDay(store: string, rows: Row[]): Promise<{client: string | null; agent: string | null; client_id: number | null; agent_id: number | null; visitor_id: number}[]> {
  return withDuckDB({}, async (duckdb) => {
    const values = rows.map(([c, a]) => `(${c === null ? "NULL" : `'${c}'`}, ${a === null ? "NULL" : `'${a}'`})`);
    await duckdb.run(`CREATE TABLE day AS SELECT * FROM (VALUES ${values.join(", ")}) v(client_ip, user_agent)`);
    const numbered = await withAllIds(duckdb, store, "day", DAY_COLUMNS);
    const reader = await duckdb.runAndReadAll(`SELECT client_ip AS client, user_agent AS agent, client_id, agent_id, visitor_id FROM ${numbered} ORDER BY ALL`);
    return reader.getRowObjects() as never;
  });
}

test("every address and agent gets one id, kept by later days, which number only what is new", async () => {
  const store = await mkdtemp(join(tmpdir(), "weblog-ids-"));
  try {
    const first = await numberDay(store, [["203.0.113.9", "curl"], ["2001:db8::1", "Firefox"], ["203.0.113.9", "Firefox"]]);
    const idOf = (rows: typeof first) => new Map(rows.map((r) => [r.client, r.client_id]));
    assert.deepEqual([...new Set(first.map((r) => r.client_id))].sort(), [1, 2]);
    assert.deepEqual([...new Set(first.map((r) => r.agent_id))].sort(), [1, 2]);
    // A later day: the old values keep their ids, the new ones follow on.
    const second = await numberDay(store, [["198.51.100.7", "curl"], ["203.0.113.9", "Wget"]]);
    assert.equal(idOf(second).get("203.0.113.9"), idOf(first).get("203.0.113.9"));
    assert.equal(idOf(second).get("198.51.100.7"), 3);
    assert.equal(second.find((r) => r.agent === "curl")!.agent_id, first.find((r) => r.agent === "curl")!.agent_id);
    assert.equal(second.find((r) => r.agent === "Wget")!.agent_id, 3);
    // Numbering a day again adds nothing: one part per day that brought new values.
    await numberDay(store, [["198.51.100.7", "curl"]]);
    const parts = await readdir(join(store, "site-rollups", "ids", await valueIdsGeneration(store)));
    assert.deepEqual(parts.sort(), [
      "client_ip.0000000001.parquet",
      "client_ip.0000000003.parquet",
      "user_agent.0000000001.parquet",
      "user_agent.0000000003.parquet",
      "visitor.0000000001.parquet",
      "visitor.0000000004.parquet",
    ]);
  } finally {
    await rm(store, {recursive: true, force: true});
  }
});

test("visitor ids are distinct exactly when the (address, agent) pairs are, a missing address or agent a visitor of its own", async () => {
  const store = await mkdtemp(join(tmpdir(), "weblog-ids-"));
  try {
    const rows: Row[] = [["a", "x"], ["a", "y"], ["b", "x"], ["a", "x"], [null, "x"], ["a", null], [null, null], [null, "x"]];
    const numbered = await numberDay(store, rows);
    const pairs = new Set(numbered.map((r) => JSON.stringify([r.client, r.agent])));
    const visitors = new Set(numbered.map((r) => r.visitor_id));
    assert.equal(visitors.size, pairs.size);
    assert.equal(pairs.size, 6);
    // Dense: the visitors' ids are 1 to their number.
    assert.deepEqual([...visitors].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
    // A later day's visitors: a pair seen before keeps its id, a new one follows on.
    const later = await numberDay(store, [["a", "x"], ["c", "x"]]);
    assert.equal(later.find((r) => r.client === "a")!.visitor_id, numbered.find((r) => r.client === "a" && r.agent === "x")!.visitor_id);
    assert.equal(later.find((r) => r.client === "c")!.visitor_id, 7);
    for (const pair of pairs) assert.equal(new Set(numbered.filter((r) => JSON.stringify([r.client, r.agent]) === pair).map((r) => r.visitor_id)).size, 1);
    assert.equal(numbered.find((r) => r.client === null)!.client_id, null);
  } finally {
    await rm(store, {recursive: true, force: true});
  }
});

test("the dictionary's generation is made once and read back the same; a lost dictionary gets a new one", async () => {
  const store = await mkdtemp(join(tmpdir(), "weblog-ids-"));
  try {
    const made = await Promise.all([valueIdsGeneration(store), valueIdsGeneration(store), valueIdsGeneration(store)]);
    assert.equal(new Set(made).size, 1);
    assert.match(made[0], /^[0-9a-f]{16}$/);
    await rm(join(store, "site-rollups", "ids"), {recursive: true});
    assert.notEqual(await valueIdsGeneration(store), made[0]);
  } finally {
    await rm(store, {recursive: true, force: true});
  }
});

test("a dictionary of many parts is written again as one, every id kept", async () => {
  const store = await mkdtemp(join(tmpdir(), "weblog-ids-"));
  try {
    const ids = new Map<string, number | null>();
    // Each day brings one new address: a part each, until they are written as one.
    for (let day = 0; day < 20; day++) for (const row of await numberDay(store, [[`10.0.0.${day}`, "curl"]])) ids.set(row.client!, row.client_id);
    const parts = (await readdir(join(store, "site-rollups", "ids", await valueIdsGeneration(store)))).filter((name) => name.startsWith("client_ip."));
    assert.ok(parts.length <= 16, `${parts.length} parts`);
    const again = await numberDay(store, [...ids.keys()].map((client) => [client, "curl"] as Row));
    assert.deepEqual(new Map(again.map((r) => [r.client!, r.client_id])), ids);
    assert.deepEqual([...ids.values()].sort((a, b) => a! - b!), Array.from({length: 20}, (_, i) => i + 1));
  } finally {
    await rm(store, {recursive: true, force: true});
  }
});

test("a day holds in memory its own values' ids, not the whole dictionary", async () => {
  const store = await mkdtemp(join(tmpdir(), "weblog-ids-"));
  try {
    const first = await numberDay(store, Array.from({length: 500}, (_, i) => [`10.0.${i >> 8}.${i & 255}`, `agent ${i}`] as Row));
    const known = first.find((r) => r.client === "10.0.0.7")!.client_id;
    await withDuckDB({}, async (duckdb) => {
      await duckdb.run("CREATE TABLE day AS SELECT * FROM (VALUES ('10.0.0.7', 'agent 7'), ('192.0.2.1', 'agent 7')) v(client_ip, user_agent)");
      await numberValues(duckdb, store, "day", DAY_COLUMNS);
      const held = (await duckdb.runAndReadAll("SELECT value, id FROM client_ip_ids ORDER BY id")).getRowObjects();
      assert.deepEqual(held, [{value: "10.0.0.7", id: known}, {value: "192.0.2.1", id: 501}]);
    });
  } finally {
    await rm(store, {recursive: true, force: true});
  }
});

test("a dictionary whose parts' folder is gone is an error, not numbering started again", async () => {
  const store = await mkdtemp(join(tmpdir(), "weblog-ids-"));
  try {
    await numberDay(store, [["203.0.113.9", "curl"]]);
    await rm(join(store, "site-rollups", "ids", await valueIdsGeneration(store)), {recursive: true});
    await assert.rejects(numberDay(store, [["198.51.100.7", "curl"]]), /ENOENT/);
  } finally {
    await rm(store, {recursive: true, force: true});
  }
});
