import {DuckDBInstance} from "@duckdb/node-api";
const db = await DuckDBInstance.create(":memory:");
const c = await db.connect();
for (const sql of process.argv.slice(2)) {
  for (let i = 0; i < 2; i++) {
  const t = performance.now();
  const r = await c.runAndReadAll(sql);
  console.log((performance.now()-t).toFixed(0)+" ms", JSON.stringify(r.getRowObjectsJson().slice(0,40)).slice(0,1500), sql.slice(0,100));
  }
}
