// One in-process DuckDB (no file, no extensions to download) for writing and reading Parquet.
import {DuckDBInstance, type DuckDBConnection} from "@duckdb/node-api";

export interface DuckDBOptions {
  /** Worker threads DuckDB may use; 1 inside our own worker threads so they don't fight. */
  threads?: number;
  /** Where DuckDB spills when a sort outgrows memory. */
  tempDirectory?: string;
}

export async function openDuckDB(options: DuckDBOptions = {}): Promise<DuckDBConnection> {
  const config: Record<string, string> = {};
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.tempDirectory !== undefined) config.temp_directory = options.tempDirectory;
  // Nothing here may reach the network: the Parquet and JSON extensions are built in.
  config.autoinstall_known_extensions = "false";
  config.autoload_known_extensions = "false";
  const instance = await DuckDBInstance.create(":memory:", config);
  return instance.connect();
}

/** A string as a SQL literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A count or epoch value as DuckDB returns it (number or bigint), or null, as a number or null. */
export function numberOrNull(value: unknown): number | null {
  return value === null ? null : Number(value);
}

/** A list of file paths as a SQL list literal, for read_parquet([...]). */
export function sqlFileList(files: readonly string[]): string {
  return `[${files.map(sqlString).join(", ")}]`;
}
