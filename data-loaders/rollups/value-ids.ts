// Exact integer ids for the rollups' client addresses, agent strings, bot names and visitors (an address
// with an agent), the same in every day's and every block's files, so the browser counts distinct
// clients and visitors, and groups by client, over integers: DuckDB-WASM hashes and compares
// strings on one thread, which made the pages that count clients redraw in seconds. Ids, unlike
// hashes, never collide, so every number stays the question asked of `events`; and they are dense
// (1, 2, 3, …), so the engine can group by them through an array.
//
// The store keeps one dictionary per numbered column, append-only: a day's rollups give the
// values the dictionary has not seen the next ids, written as a new part, and never renumber the
// others, so a rebuild after one new object leaves every other block's files as they were. The
// dictionary is a folder named by its generation, a random name made when it was first needed:
// the days' rollups versions carry it (site-data.ts: storedDays), so were the dictionary lost,
// every rollups file numbered by the old one would be made, and fetched, again.
import {randomBytes} from "node:crypto";
import {link, mkdir, readdir, readFile, rename, rm, writeFile} from "node:fs/promises";
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import {isTemporaryPath, temporaryPathFor} from "../store/durable-file.js";
import {sqlFileList, sqlString} from "../write/duckdb.js";

/**
 * The columns numbered, each with the column its id goes in. `client_place` is a client's address
 * with its GeoLite2 place as one text (rollups/client-place.ts): the per-client rows carry its id,
 * and its labels ship once per block of days. A bot's name is numbered so that the Security page
 * groups bots with their clients by two numbers. `visitor` is the pair of a client's and an agent's
 * ids (visitorPairSql), numbered once they are: the visitors' ids are then dense, 1 to the number
 * of visitors ever seen, which DuckDB groups through an array rather than a hash table.
 */
export const NUMBERED_COLUMNS = {client_ip: "client_id", user_agent: "agent_id", client_place: "place_id", bot_name: "bot_id", visitor: "visitor_id"} as const;

export type NumberedColumn = keyof typeof NUMBERED_COLUMNS;

/** The columns numbered from the rows' own values, before the pairs made of their ids. */
const VALUE_COLUMNS: readonly NumberedColumn[] = ["client_ip", "user_agent", "client_place", "bot_name"];

/** Where the dictionaries live in the store, beside the rollups they number (site-data.ts: ROLLUPS_DIR). */
const IDS_DIR = join("site-rollups", "ids");

/**
 * The dictionary's generation, made if there is none: a random name in the file `generation`,
 * made with link(2) from a file already written, so it is never seen half-written and, when two
 * processes make one at once, one of them wins and both read the winner's.
 */
export async function valueIdsGeneration(store: string): Promise<string> {
  const dir = join(store, IDS_DIR);
  const file = join(dir, "generation");
  const existing = await readFile(file, "utf8").catch(() => null);
  if (existing !== null) return existing.trim();
  // Its folder first, so that a generation named in the file always has one: a folder gone missing
  // later is an error (numberValues), never a dictionary silently started again under the same name.
  const generation = randomBytes(8).toString("hex");
  await mkdir(join(dir, generation), {recursive: true});
  const temporary = temporaryPathFor(file);
  try {
    await writeFile(temporary, generation);
    await link(temporary, file).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
      // Another process made one first: its generation is the dictionary, this folder nothing.
      await rm(join(dir, generation), {recursive: true, force: true});
    });
  } finally {
    await rm(temporary, {force: true});
  }
  return (await readFile(file, "utf8")).trim();
}

/**
 * Numbers every value of the numbered columns in `source` (SQL naming a table or subquery with
 * them) that the store's dictionary does not hold yet, and makes the temporary tables
 * `<column>_ids (value, id)` on `duckdb` of `source`'s values with their ids, to join ids to rows
 * with (`withValueIds`). Ids start at 1 and follow on from the largest so far, in the values' order.
 * The caller holds the store's lock: one writer numbers at a time.
 *
 * Only `source`'s values are looked up in the dictionary's parts, not the whole dictionary copied
 * into memory: a day's rollups are made one day at a time, and the dictionary grows with every
 * address ever seen (with a million of them, copying it cost about a second per day).
 */
export async function numberValues(duckdb: DuckDBConnection, store: string, source: string, columns: readonly NumberedColumn[] = VALUE_COLUMNS): Promise<void> {
  const dir = join(store, IDS_DIR, await valueIdsGeneration(store));
  const parts = (await readdir(dir)).filter((name) => !isTemporaryPath(name));
  for (const column of columns) {
    const table = idsTable(column);
    const mine = parts.filter((name) => name.startsWith(`${column}.`)).map((name) => join(dir, name));
    await duckdb.run(`CREATE OR REPLACE TEMP TABLE values_${table} AS SELECT DISTINCT ${column} AS value FROM ${source} WHERE ${column} IS NOT NULL`);
    // No part yet: an empty dictionary of the values' type (text, or a visitor's pair of ids).
    const dictionary = mine.length > 0 ? `read_parquet(${sqlFileList(mine)})` : `(SELECT value, NULL::INTEGER AS id FROM values_${table} WHERE false)`;
    // DISTINCT: a compaction cut short leaves a value in two parts, with the same id.
    await duckdb.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT DISTINCT value, id FROM ${dictionary} WHERE value IN (SELECT value FROM values_${table})`);
    // Ids only grow, and a part is named by its first id: the largest is in the last part by name
    // (one small file, not the whole dictionary read a second time).
    const last = mine.length > 0 ? `read_parquet(${sqlString([...mine].sort().at(-1)!)})` : dictionary;
    const [[next]] = (await duckdb.runAndReadAll(`SELECT coalesce(max(id), 0) + 1 FROM ${last}`)).getRows();
    await duckdb.run(
      `CREATE OR REPLACE TEMP TABLE new_${table} AS SELECT value, (${Number(next)} + row_number() OVER (ORDER BY value) - 1)::INTEGER AS id ` +
        `FROM values_${table} WHERE value NOT IN (SELECT value FROM ${table})`,
    );
    const [[added]] = (await duckdb.runAndReadAll(`SELECT count(*) FROM new_${table}`)).getRows();
    if (Number(added) === 0) continue;
    // A part named by its first id.
    const part = join(dir, partName(column, Number(next)));
    await writePart(duckdb, `SELECT value, id FROM new_${table}`, part);
    await duckdb.run(`INSERT INTO ${table} SELECT * FROM new_${table}`);
    // A part per day that brought new values: past MAX_PARTS they are written again as one, the
    // first, and the others removed (a dictionary read from a few files, whatever the history).
    if (mine.length + 1 > MAX_PARTS) {
      await writePart(duckdb, `SELECT DISTINCT value, id FROM read_parquet(${sqlFileList([...mine, part])})`, join(dir, partName(column, 1)));
      for (const name of (await readdir(dir)).filter((name) => name.startsWith(`${column}.`) && !isTemporaryPath(name) && name !== partName(column, 1))) await rm(join(dir, name), {force: true});
    }
  }
}

/** How many parts a column's dictionary may have before they are written as one. */
const MAX_PARTS = 16;

function partName(column: NumberedColumn, firstId: number): string {
  return `${column}.${String(firstId).padStart(10, "0")}.parquet`;
}

/** Writes a query's (value, id) rows as a dictionary part: whole under a temporary name, then renamed into place. */
async function writePart(duckdb: DuckDBConnection, rows: string, part: string): Promise<void> {
  const temporary = temporaryPathFor(part);
  try {
    await duckdb.run(`COPY (${rows} ORDER BY id) TO ${sqlString(temporary)} (FORMAT parquet, COMPRESSION zstd)`);
    await rename(temporary, part);
  } finally {
    await rm(temporary, {force: true});
  }
}

/** The temporary table numberValues makes of a column's dictionary. */
function idsTable(column: NumberedColumn): string {
  return `${column}_ids`;
}

/**
 * `source`'s rows with the ids of `numbered` (client_id, agent_id, place_id, bot_id by default; NULL
 * where the value is), as SQL for a FROM: numberValues made the tables it joins.
 */
export function withValueIds(source: string, numbered: readonly NumberedColumn[] = VALUE_COLUMNS): string {
  const columns = numbered.map((column) => [column, NUMBERED_COLUMNS[column]] as const);
  const joins = columns.map(([column], i) => `LEFT JOIN ${idsTable(column)} AS ids_${i} ON ids_${i}.value = numbered.${column}`).join(" ");
  return `(SELECT numbered.*, ${columns.map(([, id], i) => `ids_${i}.id AS ${id}`).join(", ")} FROM ${source} AS numbered ${joins})`;
}

/**
 * A visitor (a client address with an agent string) as the pair of their ids, exact: the client's
 * id in the high 32 bits, the agent's in the low, 0 for a missing one, so that a missing address
 * or agent is a visitor of its own as it is in `count(DISTINCT (client_ip, user_agent))`.
 */
export function visitorPairSql(): string {
  return "(coalesce(client_id, 0)::BIGINT << 32) | coalesce(agent_id, 0)::BIGINT";
}

/**
 * `source`'s rows with their values' ids (withValueIds) and `visitor_id`, each numbered first
 * where new: the values' own ids, then the visitors' pairs of them. SQL for a FROM. With `store`
 * null, numbered as numberValuesInMemory numbers them, touching no dictionary.
 */
export async function withAllIds(duckdb: DuckDBConnection, store: string | null, source: string, columns: readonly NumberedColumn[] = VALUE_COLUMNS): Promise<string> {
  const number = (rows: string, numbered: readonly NumberedColumn[]) => (store === null ? numberValuesInMemory(duckdb, rows, numbered) : numberValues(duckdb, store, rows, numbered));
  await number(source, columns);
  const paired = `(SELECT *, ${visitorPairSql()} AS visitor FROM ${withValueIds(source, columns)})`;
  await number(paired, ["visitor"]);
  return `(SELECT * EXCLUDE (visitor) FROM ${withValueIds(paired, ["visitor"])})`;
}

/**
 * The same tables as numberValues, for `source`'s values alone and kept nowhere: to count
 * rollups as the site makes them without touching the store's dictionary (site-data.ts: rollupsCost).
 */
export async function numberValuesInMemory(duckdb: DuckDBConnection, source: string, columns: readonly NumberedColumn[] = VALUE_COLUMNS): Promise<void> {
  for (const column of columns) {
    await duckdb.run(
      `CREATE OR REPLACE TEMP TABLE ${idsTable(column)} AS SELECT value, (row_number() OVER (ORDER BY value))::INTEGER AS id ` +
        `FROM (SELECT DISTINCT ${column} AS value FROM ${source} WHERE ${column} IS NOT NULL)`,
    );
  }
}
