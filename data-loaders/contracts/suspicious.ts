// What a suspicious request looks like in an access log, as SQL over the events table. Each rule
// is a plain condition an analyst can read, copy into Explore and refine. The rollups count the
// matches when the site's data is made (site-data.ts); the Security page lists the rules.

export interface SuspiciousRule {
  name: string;
  /** Why it matters, for the page's legend. */
  why: string;
  /** A DuckDB condition over the events columns. */
  sql: string;
}

// Payloads arrive percent-encoded or not, so patterns accept both (%20, + or a space; %27 or ').
const SPACE = String.raw`(%20|\+|\s)`;
// Inside a SQL string literal a quote is written twice.
const QUOTE = String.raw`(%27|'')`;

export const SUSPICIOUS_RULES: readonly SuspiciousRule[] = [
  {
    name: "TLS sent to the HTTP port",
    why: "A client speaking HTTPS to the plain-HTTP port: scanners sweeping ports, or a misconfigured client.",
    // Apache logs the handshake bytes escaped: the request line starts with \x16\x03.
    sql: String.raw`method IS NULL AND starts_with(url, '\x16\x03')`,
  },
  {
    name: "Secrets and config files",
    why: "Probes for .env, .git and configuration files that leak credentials when served by mistake.",
    sql: String.raw`regexp_matches(lower(path), '/\.(env|git|svn|aws|ssh|htpasswd|ds_store)(/|$|\.)|wp-config|/config\.(php|json|ya?ml)$|phpinfo')`,
  },
  {
    name: "WordPress login probes",
    why: "Password guessing against WordPress, whether or not the site runs it.",
    sql: String.raw`regexp_matches(lower(path), 'wp-login\.php|xmlrpc\.php|/wp-admin')`,
  },
  {
    name: "Path traversal",
    why: "Attempts to climb out of the web root with ../, encoded or not.",
    sql: String.raw`regexp_matches(lower(url), '\.\./|\.\.%2f|%2e%2e|\.%2e|%2e\.|\.\.\\')`,
  },
  {
    name: "SQL injection",
    why: "Quotes, OR/AND tautologies, UNION SELECT and timing functions in the query string.",
    sql: String.raw`regexp_matches(lower(url), '${QUOTE}${SPACE}*(or|and)${SPACE}+|union${SPACE}+(all${SPACE}+)?select|sleep\(|benchmark\(|information_schema')`,
  },
  {
    name: "Script injection (XSS)",
    why: "HTML or JavaScript in the URL, aimed at pages that echo it back unescaped.",
    sql: String.raw`regexp_matches(lower(url), '<script|%3cscript|onerror%3d|onerror=|javascript:|%3cimg|<img')`,
  },
  {
    name: "Shell and code execution",
    why: "Commands smuggled in the URL: shells, downloaders, PHP function calls, Log4Shell lookups.",
    sql: String.raw`regexp_matches(lower(url), '/bin/(ba)?sh|cmd=|call_user_func|invokefunction|(wget|curl)${SPACE}|\$\{jndi|%24%7bjndi|eval\(|base64_decode')`,
  },
];

/** A CASE expression naming the first rule a request matches, or NULL. */
export function suspiciousKindSql(): string {
  return `CASE ${SUSPICIOUS_RULES.map((rule) => `WHEN ${rule.sql} THEN '${rule.name}'`).join(" ")} END`;
}
