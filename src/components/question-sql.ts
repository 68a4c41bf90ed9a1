// Whether SQL only asks a question of the data (SELECT, WITH, …) or changes the engine it runs on
// (SET, CREATE TABLE, INSERT, …). A page runs two DuckDB-WASM engines with the same rows
// (workbook.ts): a question goes to either, a change to both, so that what an analyst makes is
// there whichever engine answers next.

/** The first word of a statement that reads and changes nothing. */
const QUESTION_WORDS = new Set(["SELECT", "WITH", "FROM", "VALUES", "TABLE", "DESCRIBE", "SHOW", "SUMMARIZE", "EXPLAIN", "PIVOT", "UNPIVOT"]);

/** The letters and digits of a word from where it is matched (sticky: no copy of the text after it). */
const WORD_REST = /[A-Za-z_0-9]*/y;

/** A dollar-quoted string's opening tag, as DuckDB reads it: `$$` or `$name$`. */
const DOLLAR_TAG = /^\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$/;

/**
 * Whether every statement in `sql` is a question: its first word, past comments and opening
 * parentheses, is one of QUESTION_WORDS. Quoted text and comments are skipped whole, so a `;` or
 * a keyword inside them starts nothing. Empty SQL asks nothing and changes nothing.
 */
export function isQuestion(sql: string): boolean {
  let statementStart = true;
  let i = 0;
  while (i < sql.length) {
    const char = sql[i];
    const quoted = quotedTextEnd(sql, i);
    if (quoted !== undefined) {
      if (statementStart) return false;
      i = quoted;
    } else if (/\s|\(/.test(char)) {
      i++;
    } else if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (char === ";") {
      statementStart = true;
      i++;
    } else if (statementStart) {
      const word = /^[A-Za-z_]+/.exec(sql.slice(i, i + 20))?.[0] ?? "";
      if (!QUESTION_WORDS.has(word.toUpperCase())) return false;
      statementStart = false;
      i += Math.max(1, word.length);
    } else {
      // A word is passed whole: its last letter may be the E of an escape string (`E'…'`), which
      // only counts as one where a word starts.
      WORD_REST.lastIndex = i;
      i += Math.max(1, WORD_REST.exec(sql)![0].length);
    }
  }
  return true;
}

/**
 * Where the quoted text that opens at `i` ends (the index past its closing quote, or the end of
 * `sql` when it is never closed), or undefined when none opens there. DuckDB's quotes: '…' and
 * "…" with the quote doubled inside; E'…' where a backslash also escapes the next character; and
 * $$…$$ or $tag$…$tag$, taken as they are. Read otherwise, a quote inside one of them would
 * open a string that hides the statements after it.
 */
function quotedTextEnd(sql: string, i: number): number | undefined {
  const char = sql[i];
  if (char === "'" || char === '"') return closingQuoteEnd(sql, i, char, false);
  if ((char === "E" || char === "e") && sql[i + 1] === "'") return closingQuoteEnd(sql, i + 1, "'", true);
  if (char === "$") {
    const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64))?.[0];
    if (tag === undefined) return undefined;
    const end = sql.indexOf(tag, i + tag.length);
    return end < 0 ? sql.length : end + tag.length;
  }
  return undefined;
}

function closingQuoteEnd(sql: string, open: number, quote: string, backslashEscapes: boolean): number {
  let i = open + 1;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === "\\") {
      i += 2;
    } else if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return sql.length;
}
