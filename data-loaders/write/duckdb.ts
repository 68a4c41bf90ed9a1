// One in-process DuckDB (no file, no extensions to download) for writing and reading Parquet.
import type {DuckDBConnection, DuckDBInstance} from "@duckdb/node-api";
import {sqlString} from "../sql-literal.js";

// Written once, in ../sql-literal.ts (which loads no DuckDB); here too for the many that write SQL with DuckDB.
export {sqlString};

export interface DuckDBOptions {
  /** Worker threads DuckDB may use; 1 inside our own worker threads so they don't fight. */
  threads?: number;
  /** Where DuckDB spills when a sort outgrows memory. */
  tempDirectory?: string;
}

// Each connection's instance, so closeDuckDB can close both: callers hold only the connection.
const instanceOf = new WeakMap<DuckDBConnection, DuckDBInstance>();

/**
 * DuckDB's API and its native library, loaded when first used rather than when a module naming
 * them is: loading them is a quarter of a second of CPU, which a site loader that only ships a
 * file made ahead (site-prepare.ts) never needs, and a rebuild starts several.
 */
type DuckDBApi = typeof import("@duckdb/node-api");
// Its exports as the default: the only way the command's bundle gives a CommonJS package it
// bundled (scripts/bundle-cli.ts), and one of the ways Node gives it from node_modules.
export const duckdbApi = async (): Promise<DuckDBApi> => ((await import("@duckdb/node-api")) as {default: DuckDBApi}).default;
export const duckdbBindings = async () => (await import("@duckdb/node-bindings")).default;

/** Opens an in-memory DuckDB; close it with closeDuckDB when done (watch runs for days). */
export async function openDuckDB(options: DuckDBOptions = {}): Promise<DuckDBConnection> {
  const {DuckDBInstance} = await duckdbApi();
  const config: Record<string, string> = {};
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.tempDirectory !== undefined) config.temp_directory = options.tempDirectory;
  // Nothing here may reach the network: the Parquet and JSON extensions are built in.
  config.autoinstall_known_extensions = "false";
  config.autoload_known_extensions = "false";
  const instance = await DuckDBInstance.create(":memory:", config);
  const connection = await instance.connect();
  instanceOf.set(connection, instance);
  return connection;
}

/**
 * Closes the connection and its instance, freeing DuckDB's memory (an unclosed instance holds it
 * until the garbage collector finalizes it, if ever). Call only once no query is running on it.
 */
export function closeDuckDB(connection: DuckDBConnection): void {
  connection.closeSync();
  instanceOf.get(connection)?.closeSync();
  instanceOf.delete(connection);
}

/**
 * Another connection to the DuckDB of `connection` (close it with closeSync before closing that
 * DuckDB): a connection runs one statement at a time, so two statements at once need two.
 */
export function anotherConnection(connection: DuckDBConnection): Promise<DuckDBConnection> {
  return databaseOf(connection).connect();
}

/** The DuckDB `connection` is to (opened by openDuckDB): what its connections share. */
export function databaseOf(connection: DuckDBConnection): DuckDBInstance {
  const instance = instanceOf.get(connection);
  if (instance === undefined) throw new Error("databaseOf: not a connection opened by openDuckDB");
  return instance;
}

/** Runs `use` with a DuckDB opened for it, and closes it however `use` ends. */
export async function withDuckDB<T>(options: DuckDBOptions, use: (duckdb: DuckDBConnection) => Promise<T>): Promise<T> {
  const duckdb = await openDuckDB(options);
  try {
    return await use(duckdb);
  } finally {
    closeDuckDB(duckdb);
  }
}


/** A count or epoch value as DuckDB returns it (number or bigint), or null, as a number or null. */
export function numberOrNull(value: unknown): number | null {
  return value === null ? null : Number(value);
}

/** A list of file paths as a SQL list literal, for read_parquet([...]). */
export function sqlFileList(files: readonly string[]): string {
  return `[${files.map(sqlString).join(", ")}]`;
}
