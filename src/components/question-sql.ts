// Whether SQL only asks a question of the data (SELECT, WITH, …) or changes the engine it runs on
// (SET, CREATE TABLE, INSERT, …). A page runs two DuckDB-WASM engines with the same rows
// (workbook.ts): a question goes to either, a change to both, so that what an analyst makes is
// there whichever engine answers next.

/** The first word of a statement that reads and changes nothing. */
const QUESTION_WORDS = new Set(["SELECT", "WITH", "FROM", "VALUES", "TABLE", "DESCRIBE", "SHOW", "SUMMARIZE", "EXPLAIN", "PIVOT", "UNPIVOT"]);

/**
 * Whether every statement in `sql` is a question: its first word, past comments and opening
 * parentheses, is one of QUESTION_WORDS. Quoted text ('…', "…") and comments are skipped whole,
 * so a `;` or a keyword inside them starts nothing. Empty SQL asks nothing and changes nothing.
 */
export function isQuestion(sql: string): boolean {
  let statementStart = true;
  let i = 0;
  while (i < sql.length) {
    const char = sql[i];
    if (/\s|\(/.test(char)) {
      i++;
    } else if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (char === "'" || char === '"') {
      // A quote doubled inside is the quote itself: the scan goes on to the one that closes.
      let end = sql.indexOf(char, i + 1);
      while (end >= 0 && sql[end + 1] === char) end = sql.indexOf(char, end + 2);
      if (statementStart) return false;
      i = end < 0 ? sql.length : end + 1;
    } else if (char === ";") {
      statementStart = true;
      i++;
    } else if (statementStart) {
      const word = /^[A-Za-z_]+/.exec(sql.slice(i, i + 20))?.[0] ?? "";
      if (!QUESTION_WORDS.has(word.toUpperCase())) return false;
      statementStart = false;
      i += Math.max(1, word.length);
    } else {
      i++;
    }
  }
  return true;
}
