// The first view's answers as shipped in data/first-view/<page>.json: each query's rows keyed by
// its exact SQL text and values. Timestamps travel as epoch milliseconds and come back as Dates,
// numbers as numbers, so a shipped answer is the row DuckDB-WASM would give for the same query.
import type {Ask, Query, Row} from "./query.js";

export interface ShippedAnswer {
  columns: string[];
  /** The columns holding timestamps (epoch milliseconds in `rows`). */
  dates: string[];
  rows: unknown[][];
}

export interface ShippedFirstView {
  answers: Record<string, ShippedAnswer>;
}

/** The key of a query's answer: its text and values, exactly. */
export function answerKey({sql, params}: Query): string {
  return JSON.stringify([sql, params]);
}

export function encodeAnswer(rows: readonly Row[]): ShippedAnswer {
  const columns = rows.length > 0 ? Object.keys(rows[0]) : [];
  const dates = columns.filter((c) => rows.some((r) => r[c] instanceof Date));
  return {columns, dates, rows: rows.map((r) => columns.map((c) => (r[c] instanceof Date ? (r[c] as Date).getTime() : r[c])))};
}

export function decodeAnswer({columns, dates, rows}: ShippedAnswer): Row[] {
  const isDate = columns.map((c) => dates.includes(c));
  return rows.map((values) => Object.fromEntries(columns.map((c, i) => [c, isDate[i] && values[i] !== null ? new Date(values[i] as number) : values[i]])));
}

/**
 * Runs a page's first view with `ask` and keeps every answer it asked for, as the file to ship.
 * The answers the first view gets back are the decoded ones, as the page will see them.
 */
export async function recordFirstView(firstView: (ask: Ask) => Promise<unknown>, ask: Ask): Promise<ShippedFirstView> {
  const answers: Record<string, ShippedAnswer> = {};
  await firstView(async (query) => {
    const answer = encodeAnswer(await ask(query));
    answers[answerKey(query)] = answer;
    return decodeAnswer(answer);
  });
  return {answers};
}
