// Types for the module scripts/bundle-duckdb.ts generates: the DuckDB-WASM exports it keeps, and
// the Arrow type ids of the project's apache-arrow, which it is bundled with.
export {AsyncDuckDB, VoidLogger, DuckDBDataProtocol, type AsyncDuckDBConnection} from "@duckdb/duckdb-wasm";
export {Type} from "apache-arrow";
