// Commits in order, one at a time, while the caller reads and parses the next batch: DuckDB
// writes one batch on its own threads while the JavaScript thread works on the next, so both
// cores are busy. Every source format's sync loop commits through one.
import type {DuckDBConnection} from "@duckdb/node-api";
import {closeDuckDB} from "../write/duckdb.js";

export class CommitQueue {
  private last: Promise<void> = Promise.resolve();

  /** Waits for the commit before (throwing its failure), then starts `commit` without waiting for it. */
  async add(commit: () => Promise<void>): Promise<void> {
    await this.last;
    this.last = commit();
    // A failed commit is thrown where the queue is next waited on; until then it must not count as unhandled.
    this.last.catch(() => {});
  }

  /** Resolves when every commit added is done; throws the first failure. */
  done(): Promise<void> {
    return this.last;
  }

  /** Closes `duckdb` once no commit is writing with it, however the commits ended. */
  async closeAfter(duckdb: DuckDBConnection): Promise<void> {
    await this.last.catch(() => {});
    closeDuckDB(duckdb);
  }
}
