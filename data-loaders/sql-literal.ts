// SQL literals, in a module of their own so that what only writes SQL text (the configured rules
// of derive/, which config.ts checks at every command's start) does not load DuckDB's native
// bindings with write/duckdb.ts: `weblog parse` and each of its worker threads spent some 0.1 s
// of CPU starting on them.

/** A string as a SQL literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
