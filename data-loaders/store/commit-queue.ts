// Commits in order, one at a time, while the caller reads and parses the next batch: DuckDB
// writes one batch on its own threads while the JavaScript thread works on the next, so both
// cores are busy. Every source format's sync loop commits through one.
import {availableParallelism} from "node:os";
import type {DuckDBConnection} from "@duckdb/node-api";
import {closeDuckDB, openDuckDB} from "../write/duckdb.js";

/**
 * The DuckDB a queue's commits write with: one thread of its own, on the second core while the
 * JavaScript thread parses on the first. With more, the thread running a statement spins while
 * it waits for the others' last tasks (it asks the scheduler for work again and again): the 30
 * COPYs of a 500,000-event batch took 4.6 µs of CPU per event with DuckDB's default of a thread
 * per core and 2.6 µs with one (bench/ingest-stages.ts, the same batch), and those extra
 * threads competed with the JavaScript thread for the two cores.
 */
export function openCommitDuckDB(tempDirectory: string): Promise<DuckDBConnection> {
  return openDuckDB({tempDirectory, threads: 1});
}

/**
 * A sync's own commit DuckDB, opened when first asked for. With a writer thread, the sync's
 * thread needs one only to rewrite the segments of rows that leave the store; loading DuckDB is
 * a quarter of a second of CPU, and at a sync's start that thread is parsing the first objects.
 */
export class CommitDuckDB {
  private opened: Promise<DuckDBConnection> | null = null;

  constructor(private readonly tempDirectory: string) {}

  connection(): Promise<DuckDBConnection> {
    this.opened ??= openCommitDuckDB(this.tempDirectory);
    return this.opened;
  }

  /** Closes it, if it was opened. */
  async close(): Promise<void> {
    const connection = await this.opened?.catch(() => null);
    if (connection) closeDuckDB(connection);
  }
}

/**
 * Days a commit writes at once (write/parquet.ts). While the JavaScript thread parses the next
 * batch, one: the write keeps to the second core. A sync's last commit has the machine to itself
 * (at 1M events its 30 days took 1.3 s on one core, the JavaScript thread idle), so a day per core,
 * up to four: node-api runs each statement on one of libuv's four threads, and each copy holds a
 * row group of its day in memory.
 */
export function commitDaysAtOnce(nothingLeftToParse: boolean): number {
  return nothingLeftToParse ? Math.min(availableParallelism(), 4) : 1;
}

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
  async closeAfter(duckdb: CommitDuckDB): Promise<void> {
    await this.last.catch(() => {});
    await duckdb.close();
  }
}
