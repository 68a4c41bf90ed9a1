// A rollup kind held in DuckDB-WASM's memory as one table per instance, with the view the pages
// read made again over them, so that picking an instance reads only that instance's rows.
import {sqlLiteral} from "./sql-literals.js";

/** Runs one statement: its rows as plain objects, and its columns' names in order. */
export type RunStatement = (sql: string) => Promise<{rows: Record<string, unknown>[]; columns: string[]}>;

/** Up to this many instances a kind is made one table per instance; past it, one table (null from instanceTables). */
export const MOST_INSTANCE_TABLES = 32;

export interface KindInMemory {
  /** The view's SELECT (site-data.ts, rollupViews), reading `kindView`. */
  select: string;
  /** The kind's own view (rollups_<kind>), here over `files`. */
  kindView: string;
  /** The view the pages read (requests_by_visitor, …): the tables are named after it. */
  view: string;
  /** The kind's block files, whole in memory, as registered. */
  files: readonly string[];
}

/**
 * Makes the rows of `view` one table per instance (`log_stream`, none included) and gives the
 * SELECT that is the view again: each table's rows with its instance as a constant, joined by
 * UNION ALL, the columns in the view's order. A condition on the instance (`log_stream = 'i-…'`)
 * is then settled per table before any row is read: DuckDB compares the constant, leaves out the
 * other instances' tables and compares no name on any row of the one it keeps (at 10M events, one
 * instance's rows of the per-visitor kind counted in 22 ms instead of 214, its distinct visitors
 * in 199 ms instead of 402; docs/design-notes.md). The block files hold each instance's rows
 * together (KIND_FILE_ORDER, data-loaders/site-data.ts), and each table is made from the row
 * groups whose statistics admit its instance; the condition on the instance keeps it exact
 * whatever the groups hold. Null, with nothing made, for a kind without instances (a labels kind)
 * or with more than MOST_INSTANCE_TABLES of them.
 */
export async function instanceTables(run: RunStatement, {select, kindView, view, files}: KindInMemory): Promise<string | null> {
  const from = `FROM ${kindView}`;
  if (!select.endsWith(from)) return null;
  const {columns} = await run(`SELECT * FROM (${select}) LIMIT 0`);
  if (!columns.includes("log_stream")) return null;
  const fileList = files.map((file) => sqlLiteral(file)).join(", ");
  const instances = (await run(`SELECT DISTINCT log_stream FROM read_parquet([${fileList}])`)).rows.map((row) => row.log_stream as string | null);
  if (instances.length === 0 || instances.length > MOST_INSTANCE_TABLES || instances.some((instance) => sqlLiteral(instance) === null)) return null;
  const ranges = (await run(instanceRowsSql(fileList, instances))).rows as {log_stream: string | null; file_name: string; first_row: number; last_row: number}[];
  const branches: string[] = [];
  for (const [index, instance] of instances.entries()) {
    const literal = `${sqlLiteral(instance)}::VARCHAR`;
    const rows = ranges
      .filter((range) => range.log_stream === instance)
      .map((range) => `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${sqlLiteral(range.file_name)}, file_row_number = true) WHERE file_row_number BETWEEN ${range.first_row} AND ${range.last_row}`);
    // Statistics that admitted it nowhere cannot be right: every row group then.
    if (rows.length === 0) rows.push(`SELECT * FROM read_parquet([${fileList}])`);
    const table = `${view}_in_memory_${index}`;
    const ofInstance = `${select.slice(0, -from.length)}FROM (${rows.join(" UNION ALL ")}) AS ${kindView}`;
    await run(`CREATE TABLE ${table} AS SELECT * EXCLUDE (log_stream) FROM (${ofInstance}) WHERE log_stream IS NOT DISTINCT FROM ${literal}`);
    branches.push(`SELECT ${columns.map((column) => (column === "log_stream" ? `${literal} AS log_stream` : column)).join(", ")} FROM ${table}`);
  }
  return branches.join(" UNION ALL ");
}

/**
 * For each instance and file, the first and last row (file_row_number) of the row groups whose
 * log_stream statistics admit it: its least and most value around it, or nulls for none; a group
 * without statistics admits every instance.
 */
function instanceRowsSql(fileList: string, instances: readonly (string | null)[]): string {
  return `
    WITH groups AS (
      SELECT file_name, row_group_id, row_group_num_rows AS rows, stats_min_value AS least, stats_max_value AS most, stats_null_count AS nulls
      FROM parquet_metadata([${fileList}]) WHERE path_in_schema = 'log_stream'),
    placed AS (SELECT *, sum(rows) OVER (PARTITION BY file_name ORDER BY row_group_id) - rows AS first_row FROM groups),
    instances AS (SELECT unnest([${instances.map((instance) => `${sqlLiteral(instance)}::VARCHAR`).join(", ")}]) AS log_stream)
    SELECT instances.log_stream, file_name, min(first_row)::BIGINT AS first_row, max(first_row + rows - 1)::BIGINT AS last_row
    FROM instances JOIN placed ON CASE WHEN instances.log_stream IS NULL THEN nulls IS NULL OR nulls > 0
      ELSE least IS NULL OR most IS NULL OR (least <= instances.log_stream AND instances.log_stream <= most) END
    GROUP BY ALL`;
}
