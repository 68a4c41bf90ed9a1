// Your own traffic: requests from configured client addresses and CIDR ranges (the office, the
// monitoring host) and to configured paths (health checks). They are marked, never deleted: the
// site's `own_traffic` and `own_traffic_rule` columns, which the filters hide by default.
// Addresses are matched in Node (node:net's BlockList, exact for IPv4 and IPv6 ranges: DuckDB-WASM
// has no inet type), once per distinct client address of a day, when the site's data is made.
import {BlockList, isIP} from "node:net";
import {pathPatternProblem, pathPatternsSql} from "./path-pattern.js";

/**
 * One rule, named: a request is its own traffic when its client is in one of `clients` (when
 * given) and its path matches one of `paths` (when given). At least one of the two is given.
 */
export interface OwnTrafficRule {
  name: string;
  /** Addresses ("198.51.100.7", "2001:db8::1") or CIDR ranges ("203.0.113.0/24", "2001:db8:1234::/48"). */
  clients?: string[];
  /** Exact paths ("/healthz") or prefixes ending in "*" ("/status/*"). */
  paths?: string[];
}

/** What is wrong with a configured rule, or null. */
export function ownTrafficRuleProblem(rule: unknown): string | null {
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) return `a rule must be an object such as {"name": "office", "clients": ["203.0.113.0/24"]}, found ${JSON.stringify(rule)}`;
  const {name, clients, paths, ...rest} = rule as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) return `unknown field "${unknown[0]}" in a rule (known: name, clients, paths)`;
  if (typeof name !== "string" || name === "") return `every rule needs a "name" (a non-empty string), found ${JSON.stringify(name)}`;
  if (clients === undefined && paths === undefined) return `the rule "${name}" names no "clients" and no "paths"`;
  if (clients !== undefined) {
    if (!Array.isArray(clients) || clients.length === 0) return `"clients" of "${name}" must be a non-empty list of addresses or CIDR ranges`;
    for (const client of clients) {
      const problem = clientRangeProblem(client);
      if (problem) return `"${name}": ${problem}`;
    }
  }
  if (paths !== undefined) {
    if (!Array.isArray(paths) || paths.length === 0) return `"paths" of "${name}" must be a non-empty list of path patterns`;
    for (const p of paths) if (pathPatternProblem(p)) return `"${name}": ${pathPatternProblem(p)}`;
  }
  return null;
}

function clientRangeProblem(client: unknown): string | null {
  const expected = `an IPv4 or IPv6 address or CIDR range ("203.0.113.0/24", "2001:db8:1234::/48"), found ${JSON.stringify(client)}`;
  if (typeof client !== "string") return expected;
  const [address, prefix, extra] = client.split("/");
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return expected;
  if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128))) return expected;
  return null;
}

/** Which of the client addresses each rule's `clients` take in; a rule without clients takes none (its paths decide). */
export function ownClientsByRule(rules: readonly OwnTrafficRule[], addresses: Iterable<string>): string[][] {
  const lists = rules.map((rule) => (rule.clients ? blockListOf(rule.clients) : null));
  const taken: string[][] = rules.map(() => []);
  for (const address of addresses) {
    const version = isIP(address);
    // A host name (Apache with HostnameLookups) is no address: never in a range.
    if (version === 0) continue;
    lists.forEach((list, i) => {
      if (list?.check(address, version === 4 ? "ipv4" : "ipv6")) taken[i].push(address);
    });
  }
  return taken;
}

function blockListOf(clients: readonly string[]): BlockList {
  const list = new BlockList();
  for (const client of clients) {
    const [address, prefix] = client.split("/");
    const type = isIP(address) === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/**
 * The SQL naming the first rule a request matches, or NULL. `clientsTable` holds (rule, client_ip):
 * the addresses ownClientsByRule took for each rule, by its index.
 */
export function ownTrafficRuleSql(rules: readonly OwnTrafficRule[], clientsTable: string): string {
  if (rules.length === 0) return "NULL::VARCHAR";
  const when = rules.map((rule, i) => {
    const conditions = [
      ...(rule.clients ? [`client_ip IN (SELECT client_ip FROM ${clientsTable} WHERE rule = ${i})`] : []),
      ...(rule.paths ? [`coalesce(${pathPatternsSql(rule.paths)}, false)`] : []),
    ];
    return `WHEN ${conditions.join(" AND ")} THEN '${rule.name.replaceAll("'", "''")}'`;
  });
  return `CASE ${when.join(" ")} ELSE NULL END`;
}
