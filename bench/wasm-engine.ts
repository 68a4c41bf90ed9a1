// DuckDB-WASM's blocking Node build (the browser's engine, on one thread) for the benches that
// time the pages' questions outside a browser, over a store bench:site kept (BENCH_SITE_KEEP=1).
import {readFileSync} from "node:fs";
import {createRequire} from "node:module";
import {join} from "node:path";
import {loadConfig} from "../data-loaders/config.js";
import {ENGINE_SETTINGS} from "../data-loaders/contracts/engine-settings.js";
import {kindRollupsFiles} from "../data-loaders/site-data.js";
import {demoEnvironment} from "../scripts/demo.js";

export type WasmConnection = {query(sql: string): {numRows: number; toArray(): {toJSON(): Record<string, unknown>}[]}; close(): void};
export type WasmDatabase = {
  instantiate(): Promise<unknown>;
  open(config: object): void;
  registerFileBuffer(name: string, buffer: Uint8Array): void;
  connect(): WasmConnection;
};

const require = createRequire(import.meta.url);
const wasm = require("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs") as {
  createDuckDB(bundles: object, logger: object, runtime: object): Promise<WasmDatabase>;
  NODE_RUNTIME: object;
  VoidLogger: new () => object;
};
const dist = (file: string) => require.resolve(`@duckdb/duckdb-wasm/dist/${file}`);

/** A fresh engine, set up as src/components/workbook.ts sets the browser's, and its connection. */
export async function openWasmEngine(): Promise<{db: WasmDatabase; conn: WasmConnection}> {
  const db = await wasm.createDuckDB(
    {mvp: {mainModule: dist("duckdb-mvp.wasm"), mainWorker: dist("duckdb-node-mvp.worker.cjs")}, eh: {mainModule: dist("duckdb-eh.wasm"), mainWorker: dist("duckdb-node-eh.worker.cjs")}},
    new wasm.VoidLogger(),
    wasm.NODE_RUNTIME,
  );
  await db.instantiate();
  db.open({query: {castBigIntToDouble: true, castTimestampToDate: true, castDecimalToDouble: true}});
  const conn = db.connect();
  for (const setting of ENGINE_SETTINGS) conn.query(setting);
  return {db, conn};
}

/** Each rollup kind's block files in the store bench:site kept in `dir`. */
export async function keptKindFiles(dir: string): Promise<Map<string, string[]>> {
  return kindRollupsFiles(loadConfig(join(dir, "project"), demoEnvironment("http://127.0.0.1:1", join(dir, "store"))));
}

/** A kind's files registered in `db` as `<kind>-<n>.parquet`; their names, in order. */
export function registerKindFiles(db: WasmDatabase, kind: string, files: readonly string[]): string[] {
  return files.map((file, index) => {
    const name = `${kind}-${index}.parquet`;
    db.registerFileBuffer(name, new Uint8Array(readFileSync(file)));
    return name;
  });
}

/** The CPU this process spent since `since` (process.cpuUsage()), in ms: the engine runs on this thread. */
export function cpuMs(since: NodeJS.CpuUsage): number {
  const spent = process.cpuUsage(since);
  return (spent.user + spent.system) / 1000;
}
