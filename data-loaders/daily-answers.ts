// A first-view question whose rows are each one day's, counted from that day's rows alone (the
// Traffic page's visitors per day: distinct counts over the per-visitor kind, the costliest of the
// first views), answered a block of days at a time. Each block's answer is kept in the store by
// the block's version and the question's text and values, so a rebuild after one new object
// counts again only the block whose days changed (usually the latest), not the whole history.
// The blocks' answers, read in the blocks' order (each ordered by day), are the whole answer.
import {createHash} from "node:crypto";
import {mkdir, readdir, rename, rm, stat} from "node:fs/promises";
import {join} from "node:path";
import type {DuckDBValue} from "@duckdb/node-api";
import type {WeblogConfig} from "./config.js";
import {openRollupsDatabase, type SiteDatabase, type SiteRow} from "./site-database.js";
import {blockRollupsFiles, ROLLUPS_DIR, rollupBlocks, storedDays} from "./site-data.js";
import {isTemporaryPath, temporaryPathFor} from "./store/durable-file.js";
import {closeDuckDB, sqlFileList, sqlString} from "./write/duckdb.js";

/** Where the store keeps the blocks' answers, inside ROLLUPS_DIR. */
const ANSWERS_DIR = "daily-answers";

/** A question: SQL text and the values of its `?` placeholders. */
export interface Question {
  sql: string;
  params: readonly unknown[];
}

/**
 * The rows of `question`, whose rows are each one day's (grouped by the day, no LIMIT), from each
 * block's answer (dailyAnswerFiles), as `site` would give them for the whole history at once.
 */
export async function dailyAnswer(config: WeblogConfig, site: SiteDatabase, question: Question): Promise<SiteRow[]> {
  const files = await dailyAnswerFiles(config, question);
  // No day yet: the question over the empty tables.
  if (files.length === 0) return site.rows(question.sql, question.params);
  const list = sqlFileList(files);
  return site.rows(`SELECT * EXCLUDE (filename, file_row_number) FROM read_parquet(${list}, filename = true, file_row_number = true) ORDER BY list_position(${list}, filename), file_row_number`);
}

/**
 * Each block's answer to `question`, in the blocks' order: made now for a block whose answer the
 * store does not have (its rollups alone, in a DuckDB of its own), kept otherwise. Answers of
 * blocks no longer in the store, or of their older versions, are removed.
 */
export async function dailyAnswerFiles(config: WeblogConfig, question: Question): Promise<string[]> {
  const {sql, params} = question;
  const blocks = rollupBlocks(await storedDays(config));
  const dir = answersDir(config);
  await mkdir(dir, {recursive: true});
  const asked = questionHash(question);
  const files: string[] = [];
  for (const block of blocks) {
    const file = join(dir, answerFileName(block, asked));
    if (!(await stat(file).catch(() => null))) {
      const kindFiles = new Map([...(await blockRollupsFiles(config, block))].map(([kind, kindFile]) => [kind, [kindFile]]));
      const conn = await openRollupsDatabase(config, kindFiles);
      const temporary = temporaryPathFor(file);
      try {
        await conn.run(`COPY (${sql}) TO ${sqlString(temporary)} (FORMAT parquet, COMPRESSION zstd)`, params as DuckDBValue[]);
        await rename(temporary, file);
      } finally {
        closeDuckDB(conn);
        await rm(temporary, {force: true});
      }
    }
    files.push(file);
  }
  const current = new Set(blocks.map((block) => `${block.name}.${block.version}.`));
  for (const old of await readdir(dir)) {
    // A write in progress ("." + the answer's name + …, temporaryPathFor) is judged by the answer it
    // will be: another question asked at the same time may be writing a current block's.
    const becomes = isTemporaryPath(old) ? old.slice(1) : old;
    if (![...current].some((prefix) => becomes.startsWith(prefix))) await rm(join(dir, old), {force: true});
  }
  return files;
}

/**
 * Removes the kept answers of every question but `questions` (the first views' loader passes all
 * it asked): a question whose text was edited would otherwise keep its old answers for as long as
 * their blocks stay the same, which for a past month is for ever.
 */
export async function removeAnswersNotAsked(config: WeblogConfig, questions: readonly Question[]): Promise<void> {
  const asked = new Set(questions.map(questionHash));
  const dir = answersDir(config);
  const kept = await readdir(dir).catch(() => [] as string[]);
  for (const file of kept) if (!asked.has(questionOfAnswerFile(file))) await rm(join(dir, file), {force: true});
}

/** A block's answer to a question (by its hash): <block>.<version>.<question>.parquet. */
function answerFileName(block: {name: string; version: string}, asked: string): string {
  return `${block.name}.${block.version}.${asked}.parquet`;
}

/** The question hash an answer file's name holds (answerFileName). */
function questionOfAnswerFile(file: string): string {
  return file.split(".").at(-2) ?? "";
}

function answersDir(config: WeblogConfig): string {
  return join(config.store, ROLLUPS_DIR, ANSWERS_DIR);
}

function questionHash({sql, params}: Question): string {
  return createHash("sha256").update(JSON.stringify([sql, params])).digest("hex").slice(0, 16);
}
