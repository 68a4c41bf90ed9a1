// Which class of request an event is (page, asset, api, other), by its path: the configured rules
// in order, then the defaults; the first rule that matches decides. Computed as SQL when the site's
// data is made (derive/site-columns.ts), so a changed rule re-derives every day from the store.
import {REQUEST_CLASSES, type RequestClass} from "../contracts/request-classes.js";
import {sqlString} from "../sql-literal.js";
import {pathPatternProblem, pathPatternsSql} from "./path-pattern.js";

export {REQUEST_CLASSES, type RequestClass};

/**
 * One rule: a request is of `class` when its path matches one of `paths` (exact, or a prefix
 * ending in "*") or ends in one of `extensions`. An extension is ".css" (compared without case),
 * "/" for a path ending in a slash, or "" for a last segment with no dot.
 */
export interface RequestClassRule {
  class: RequestClass;
  paths?: string[];
  extensions?: string[];
}

/** Tried after the configured rules: API by prefix, static files by extension, JSON as API, pages. */
export const DEFAULT_REQUEST_CLASS_RULES: readonly RequestClassRule[] = [
  {class: "api", paths: ["/api/*"]},
  {
    class: "asset",
    extensions: [".css", ".js", ".mjs", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".avif", ".bmp",
      ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp4", ".webm", ".mp3", ".ogg", ".wav"],
  },
  {class: "api", extensions: [".json"]},
  {class: "page", extensions: ["/", "", ".html", ".htm", ".php"]},
];

/** What is wrong with a configured rule, or null. */
export function requestClassRuleProblem(rule: unknown): string | null {
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) return `a rule must be an object such as {"class": "asset", "paths": ["/static/*"]}, found ${JSON.stringify(rule)}`;
  const {class: name, paths, extensions, ...rest} = rule as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) return `unknown field "${unknown[0]}" in a rule (known: class, paths, extensions)`;
  if (!(REQUEST_CLASSES as readonly unknown[]).includes(name)) return `"class" must be one of ${REQUEST_CLASSES.join(", ")}, found ${JSON.stringify(name)}`;
  if (paths === undefined && extensions === undefined) return `the rule for "${name}" names no "paths" and no "extensions"`;
  if (paths !== undefined) {
    if (!Array.isArray(paths)) return `"paths" must be a list of path patterns`;
    for (const p of paths) if (pathPatternProblem(p)) return pathPatternProblem(p);
  }
  if (extensions !== undefined) {
    if (!Array.isArray(extensions)) return `"extensions" must be a list such as [".css", ".js"]`;
    for (const e of extensions) if (typeof e !== "string" || !/^(\.[^./]+|\/|)$/.test(e)) return `an extension is ".css", "/" or "", found ${JSON.stringify(e)}`;
  }
  return null;
}

/**
 * The SQL giving an event's class from its `path`: `configured` in order, then the defaults; a
 * request with no path (no request line, a TLS handshake) is "other".
 */
export function requestClassSql(configured: readonly RequestClassRule[]): string {
  // The path's last-segment extension, lower case; "/" when it ends in a slash, "" when it has none.
  const extension = "CASE WHEN ends_with(path, '/') THEN '/' ELSE lower(regexp_extract(path, '\\.[^./]*$')) END";
  const when = [...configured, ...DEFAULT_REQUEST_CLASS_RULES].map((rule) => {
    const conditions = [
      ...(rule.paths?.length ? [pathPatternsSql(rule.paths)] : []),
      ...(rule.extensions?.length ? [`${extension} IN (${rule.extensions.map((e) => sqlString(e.toLowerCase())).join(", ")})`] : []),
    ];
    return `WHEN ${conditions.length ? conditions.join(" OR ") : "false"} THEN '${rule.class}'`;
  });
  return `CASE WHEN path IS NULL THEN 'other' ${when.join(" ")} ELSE 'other' END`;
}
