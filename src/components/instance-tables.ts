// A rollup kind held in DuckDB-WASM's memory as one table per instance, with the view the pages
// read made again over them, so that picking an instance reads only that instance's rows.
import {sqlLiteral} from "./sql-literals.js";

/** Runs one statement: its rows as plain objects, and its columns' names in order. */
export type RunStatement = (sql: string) => Promise<{rows: Record<string, unknown>[]; columns: string[]}>;

/** Up to this many instances a kind is made one table per instance; past it, one table. */
export const MOST_INSTANCE_TABLES = 32;

export interface KindInMemory {
  /** The view's SELECT (site-data.ts, rollupViews), reading the kind's view, here over `files`. */
  select: string;
  /** The view the pages read (requests_by_visitor, …): the tables are named after it. */
  view: string;
  /** The kind's block files, whole in memory, as registered. */
  files: readonly string[];
}

/**
 * Makes the rows of `view` tables in DuckDB-WASM's memory, one per instance where instanceTables
 * can, else one (`<view>_in_memory`), and gives the SELECT that is the view over them.
 */
export async function viewInMemory(run: RunStatement, kind: KindInMemory): Promise<{select: string; byInstance: boolean}> {
  const byInstance = await instanceTables(run, kind);
  if (byInstance !== null) return {select: byInstance, byInstance: true};
  await run(`CREATE TABLE ${kind.view}_in_memory AS ${kind.select}`);
  return {select: `SELECT * FROM ${kind.view}_in_memory`, byInstance: false};
}

/**
 * Makes a summary view's rows (data-loaders/contracts/summary-views.ts; `select`, over the view it
 * sums) one table in DuckDB-WASM's memory, `<view>_in_memory`, in instance order so that a
 * condition on the instance skips the other instances' row groups, and gives the SELECT that is
 * the view over it. Its rows are few: one table, not one per instance.
 */
export async function summaryInMemory(run: RunStatement, view: string, select: string): Promise<string> {
  await run(`CREATE TABLE ${view}_in_memory AS ${select} ORDER BY log_stream`);
  return `SELECT * FROM ${view}_in_memory`;
}

/**
 * Makes the rows of `view` one table per instance (`log_stream`, none included) and gives the
 * SELECT that is the view again: each table's rows with its instance as a constant, joined by
 * UNION ALL, the columns in the view's order. A condition on the instance (`log_stream = 'i-…'`)
 * is then settled per table before any row is read: DuckDB compares the constant, leaves out the
 * other instances' tables and compares no name on any row of the one it keeps (at 10M events, one
 * instance's rows of the per-visitor kind counted in 22 ms instead of 214, its distinct visitors
 * in 199 ms instead of 402; docs/design-notes.md). Each table is read from the files with the
 * instance as a condition of the Parquet scan, which reads the other columns of its rows only.
 *
 * The instances are first the values at the edges of the files' row groups (their log_stream
 * statistics, least and most; none where a group counts nulls): the block files hold each
 * instance's rows together (KIND_FILE_ORDER, data-loaders/site-data.ts), so a large kind's group
 * holds one or two and the edges name them all without reading a row. The tables' rows are
 * counted against the files': rows left out are of instances inside a group's edges (a small
 * kind's file is a group or two), found among those rows and made tables too; rows still left
 * out (statistics that cannot be right) make the kind one table instead. Null, with nothing left
 * made, for a kind without instances (a labels kind), one with more than MOST_INSTANCE_TABLES, or
 * rows left out.
 */
async function instanceTables(run: RunStatement, {select, view, files}: KindInMemory): Promise<string | null> {
  const {columns} = await run(`SELECT * FROM (${select}) LIMIT 0`);
  if (!columns.includes("log_stream")) return null;
  const fileList = files.map((file) => sqlLiteral(file)).join(", ");
  const [edges] = (await run(edgesSql(fileList))).rows as {instances: (string | null)[]; rows: number}[];
  const instances = [...edges.instances];
  if (instances.length === 0 || instances.length > MOST_INSTANCE_TABLES || instances.some((instance) => sqlLiteral(instance) === null)) return null;
  const tables: string[] = [];
  const branches: string[] = [];
  let rowsMade = 0;
  const makeTables = async (of: readonly (string | null)[]) => {
    for (const instance of of) {
      const literal = `${sqlLiteral(instance)}::VARCHAR`;
      const table = `${view}_in_memory_${tables.length}`;
      // `=` rather than IS NOT DISTINCT FROM: the Parquet scan takes it as its own condition (at 10M, 1.0 s for an instance of the per-visitor kind against 1.7 s).
      await run(`CREATE TABLE ${table} AS SELECT * EXCLUDE (log_stream) FROM (${select}) WHERE ${instance === null ? "log_stream IS NULL" : `log_stream = ${literal}`}`);
      tables.push(table);
      rowsMade += Number((await run(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
      branches.push(`SELECT ${columns.map((column) => (column === "log_stream" ? `${literal} AS log_stream` : column)).join(", ")} FROM ${table}`);
    }
  };
  await makeTables(instances);
  // Instances inside a row group's edges (a small kind's group holds several): the rows left out say which.
  if (rowsMade < Number(edges.rows)) {
    const made = instances.filter((instance) => instance !== null).map((instance) => `${sqlLiteral(instance)}::VARCHAR`);
    const others = `${made.length > 0 ? `log_stream NOT IN (${made.join(", ")})` : "TRUE"}${instances.includes(null) ? "" : " OR log_stream IS NULL"}`;
    const [{inside}] = (await run(`SELECT coalesce(list(DISTINCT log_stream), []) || CASE WHEN bool_or(log_stream IS NULL) THEN [NULL::VARCHAR] ELSE [] END AS inside FROM (${select}) WHERE ${others}`)).rows as {inside: (string | null)[]}[];
    const found = [...inside];
    if (tables.length + found.length <= MOST_INSTANCE_TABLES && found.every((instance) => sqlLiteral(instance) !== null)) await makeTables(found);
  }
  if (rowsMade !== Number(edges.rows)) {
    for (const table of tables) await run(`DROP TABLE ${table}`);
    return null;
  }
  return branches.join(" UNION ALL ");
}

/** The instances at the edges of the files' row groups (a null for groups that count nulls or have no statistics), and the files' rows. */
function edgesSql(fileList: string): string {
  return `
    WITH groups AS (
      SELECT row_group_num_rows AS rows, stats_min_value AS least, stats_max_value AS most, stats_null_count AS nulls
      FROM parquet_metadata([${fileList}]) WHERE path_in_schema = 'log_stream')
    SELECT (SELECT coalesce(list(DISTINCT edge), []) FROM (
              SELECT least AS edge FROM groups WHERE least IS NOT NULL
              UNION ALL SELECT most FROM groups WHERE most IS NOT NULL)
            ) || CASE WHEN bool_or(nulls IS NULL OR nulls > 0) THEN [NULL::VARCHAR] ELSE [] END AS instances,
           sum(rows)::BIGINT AS rows
    FROM groups`;
}
