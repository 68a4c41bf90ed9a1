// A query's `?` placeholders filled with SQL literals, so DuckDB-WASM runs it in one round trip
// to its worker instead of three (prepare, run, close): a filter change asks a page's every query
// again, and at demo size that per-query cost, not the data, is what a redraw waits on.
// Only plain values are written as literals; anything else keeps the prepared statement.

/**
 * The SQL with each `?` outside string literals, quoted identifiers and comments replaced by its
 * value as a literal, or null when a value is not one that can be written exactly (then the
 * caller prepares the statement and binds the values as before). Strings are quoted with their
 * single quotes doubled, which is the whole of DuckDB's escaping in a standard string literal
 * (a backslash is an ordinary character there), so a value the reader picks can never end the
 * literal early.
 */
export function withInlineLiterals(sql: string, params: readonly unknown[]): string | null {
  const literals: string[] = [];
  for (const value of params) {
    const literal = sqlLiteral(value);
    if (literal === null) return null;
    literals.push(literal);
  }
  let out = "";
  let used = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const end = skippedFrom(sql, i);
    if (end > i) {
      out += sql.slice(i, end);
      i = end;
    } else if (c === "?") {
      if (used === literals.length) return null;
      out += literals[used++];
      i++;
    } else {
      out += c;
      i++;
    }
  }
  // A count that does not match means the text is not what we think it is: prepare it instead.
  return used === literals.length ? out : null;
}

/**
 * A value as the literal the prepared statement would have bound: DuckDB-WASM sends bound values
 * as JSON, so a Date is its ISO string, an integer a BIGINT and any other number a DOUBLE.
 */
export function sqlLiteral(value: unknown): string | null {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return null;
    return Number.isSafeInteger(value) ? `CAST(${value} AS BIGINT)` : `CAST('${String(value)}' AS DOUBLE)`;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : quoted(value.toISOString());
  // A NUL cannot stand inside a DuckDB string literal.
  if (typeof value === "string") return value.includes("\0") ? null : quoted(value);
  return null;
}

const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Where the string literal, quoted identifier or comment that starts at `i` ends (just past it),
 * or `i` when none starts there: a `?` inside one is text, not a placeholder.
 */
function skippedFrom(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"') {
    // A doubled quote stays inside; an unclosed one runs to the end.
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === c) {
        if (sql[j + 1] === c) j += 2;
        else return j + 1;
      } else j++;
    }
    return sql.length;
  }
  if (c === "-" && sql[i + 1] === "-") {
    const end = sql.indexOf("\n", i);
    return end === -1 ? sql.length : end;
  }
  if (c === "/" && sql[i + 1] === "*") {
    const end = sql.indexOf("*/", i + 2);
    return end === -1 ? sql.length : end + 2;
  }
  return i;
}
