// The columns the site's events have beyond the store's: derived from the configuration when the
// site's data is made (a day's events file and its rollups), never stored, so changing a rule
// re-derives all history at the next build without syncing again. site-data.ts puts the
// configuration in the days' versions, so every file made under other rules is made again.
import type {DuckDBConnection} from "@duckdb/node-api";
import type {WeblogConfig} from "../config.js";
import {EVENT_COLUMNS, type ColumnSpec} from "../event.js";
import {sqlString} from "../write/duckdb.js";
import {ownClientsByRule, ownTrafficRuleSql} from "./own-traffic.js";
import {REQUEST_CLASSES, requestClassSql} from "./request-class.js";

export const DERIVED_COLUMNS: readonly ColumnSpec[] = [
  {name: "request_class", type: "VARCHAR", description: `What was asked for, by its path: ${REQUEST_CLASSES.map((c) => `\`${c}\``).join(", ")}. The configured \`requestClasses\` rules in order, then the defaults (\`/api/\` and \`.json\`: api; static-file extensions such as \`.css\`, \`.js\`, \`.png\`, \`.woff2\`: asset; a path ending in \`/\`, with no extension, or \`.html\`, \`.htm\`, \`.php\`: page); no path, or no rule: other. Derived when the site's data is made (docs/configuration.md)`},
  {name: "own_traffic", type: "BOOLEAN", description: "True when the request matches one of the configured `ownTraffic` rules (your office, monitoring, health checks): kept, and hidden by the filters unless you show it. Derived when the site's data is made"},
  {name: "own_traffic_rule", type: "VARCHAR", description: "The name of the first `ownTraffic` rule the request matches; null when none"},
];

/** The site's `events` table: the store's columns, then the derived ones. */
export const SITE_EVENT_COLUMNS: readonly ColumnSpec[] = [...EVENT_COLUMNS, ...DERIVED_COLUMNS];

/** What the derived columns are made from: changes to it re-make the site's files (site-data.ts). */
export function derivationSignature(config: Pick<WeblogConfig, "requestClasses" | "ownTraffic">): string {
  return JSON.stringify({requestClasses: config.requestClasses, ownTraffic: config.ownTraffic, requestClassSql: requestClassSql(config.requestClasses)});
}

const OWN_CLIENTS_TABLE = "own_traffic_clients";

/**
 * The events of `source` (a relation over the store's rows) with the derived columns, as a
 * subquery for `duckdb`; first fills, in that connection, the table of the source's client
 * addresses that the ownTraffic rules take in. `clients`, when given, is a smaller relation with
 * every client address of `source` among its `client_ip`s (and maybe more), read instead of the
 * events for them.
 */
export async function withDerivedColumns(duckdb: DuckDBConnection, config: Pick<WeblogConfig, "requestClasses" | "ownTraffic">, source: string, clients = source): Promise<string> {
  const rules = config.ownTraffic;
  await duckdb.run(`CREATE OR REPLACE TEMP TABLE ${OWN_CLIENTS_TABLE} (rule INTEGER, client_ip VARCHAR)`);
  if (rules.some((rule) => rule.clients)) {
    const reader = await duckdb.runAndReadAll(`SELECT DISTINCT client_ip FROM ${clients} WHERE client_ip IS NOT NULL`);
    const addresses = reader.getRows().map(([ip]) => String(ip));
    const rows = ownClientsByRule(rules, addresses).flatMap((ips, rule) => ips.map((ip) => `(${rule}, ${sqlString(ip)})`));
    for (let start = 0; start < rows.length; start += 1000) {
      await duckdb.run(`INSERT INTO ${OWN_CLIENTS_TABLE} VALUES ${rows.slice(start, start + 1000).join(", ")}`);
    }
  }
  return (
    `(SELECT * EXCLUDE (own_rule), ${requestClassSql(config.requestClasses)} AS request_class, own_rule IS NOT NULL AS own_traffic, own_rule AS own_traffic_rule ` +
    `FROM (SELECT *, ${ownTrafficRuleSql(rules, OWN_CLIENTS_TABLE)} AS own_rule FROM ${source}))`
  );
}
