// The one way a configured rule names paths: an exact path ("/healthz"), or a prefix ending in
// "*" ("/api/*"). Matched as SQL over the events' `path` column (the request path, no query).
import {sqlString} from "../sql-literal.js";

/** A pattern is a path starting with "/", with at most one "*", at its end. */
export function pathPatternProblem(pattern: unknown): string | null {
  if (typeof pattern !== "string" || !pattern.startsWith("/")) return `a path pattern must be a string starting with "/", found ${JSON.stringify(pattern)}`;
  const star = pattern.indexOf("*");
  if (star >= 0 && star !== pattern.length - 1) return `a path pattern may have one "*", at its end (a prefix), found "${pattern}"`;
  return null;
}

/** SQL true when `path` matches one of the patterns. */
export function pathPatternsSql(patterns: readonly string[]): string {
  const exact = patterns.filter((p) => !p.endsWith("*"));
  const prefixes = patterns.filter((p) => p.endsWith("*")).map((p) => p.slice(0, -1));
  const conditions = [
    ...(exact.length ? [`path IN (${exact.map(sqlString).join(", ")})`] : []),
    ...prefixes.map((p) => `starts_with(path, ${sqlString(p)})`),
  ];
  return conditions.length ? `(${conditions.join(" OR ")})` : "false";
}
