// Types for the module src/components/duckdb-wasm.js.ts generates: the DuckDB-WASM exports it keeps.
export {AsyncDuckDB, VoidLogger, DuckDBDataProtocol, type AsyncDuckDBConnection} from "@duckdb/duckdb-wasm";
