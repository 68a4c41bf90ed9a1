// The derived columns as DuckDB computes them when the site's data is made: each path's request
// class by the default rules and by configured ones (first match wins), and own traffic by exact
// IPv4 and IPv6 ranges, addresses and paths, named by the first rule that matches.
import assert from "node:assert/strict";
import {test} from "node:test";
import {withDerivedColumns} from "../../data-loaders/derive/site-columns.js";
import type {OwnTrafficRule} from "../../data-loaders/derive/own-traffic.js";
import type {RequestClassRule} from "../../data-loaders/derive/request-class.js";
import {openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";

/** Each (client_ip, path) with what the derived columns say of it. */
async function derived(rows: [string | null, string | null][], config: {requestClasses?: RequestClassRule[]; ownTraffic?: OwnTrafficRule[]}) {
  const duckdb = await openDuckDB();
  const values = rows.map(([ip, path], i) => `(${i}, ${ip === null ? "NULL" : sqlString(ip)}, ${path === null ? "NULL" : sqlString(path)})`).join(", ");
  await duckdb.run(`CREATE TABLE stored AS SELECT * FROM (VALUES ${values}) AS t(id, client_ip, path)`);
  const source = await withDerivedColumns(duckdb, {requestClasses: config.requestClasses ?? [], ownTraffic: config.ownTraffic ?? []}, "stored");
  const reader = await duckdb.runAndReadAll(`SELECT request_class, own_traffic, own_traffic_rule FROM ${source} ORDER BY id`);
  return reader.getRowObjectsJS() as {request_class: string; own_traffic: boolean; own_traffic_rule: string | null}[];
}

const classesOf = async (paths: (string | null)[], requestClasses: RequestClassRule[] = []) =>
  (await derived(paths.map((p) => ["192.0.2.1", p]), {requestClasses})).map((r) => r.request_class);

test("by default: /api/ and .json are api, static files assets, directories, extensionless and .html/.php pages, the rest other", async () => {
  const paths = ["/", "/blog/", "/about", "/index.html", "/wp-login.php", "/style.CSS", "/js/app.js", "/favicon.ico", "/fonts/a.woff2", "/images/x.PNG",
    "/api/v1/users", "/api/logo.png", "/data/feed.json", "/files/report.pdf", "/archive.tar.gz", "/a.b/c", null];
  assert.deepEqual(await classesOf(paths), ["page", "page", "page", "page", "page", "asset", "asset", "asset", "asset", "asset",
    "api", "api", "api", "other", "other", "page", "other"]);
});

test("configured rules come first, in order; the defaults still decide what they do not name", async () => {
  const rules: RequestClassRule[] = [
    {class: "api", paths: ["/graphql"]},
    {class: "asset", paths: ["/static/*"], extensions: [".pdf"]},
    {class: "page", paths: ["/static/index.html"]},
  ];
  assert.deepEqual(await classesOf(["/graphql", "/graphql/x", "/static/index.html", "/static/chunk", "/files/r.pdf", "/", "/x.css"], rules),
    ["api", "page", "asset", "asset", "asset", "page", "asset"]);
});

test("own traffic: IPv4 and IPv6 ranges matched exactly, addresses, paths alone and with clients; the first rule names it", async () => {
  const ownTraffic: OwnTrafficRule[] = [
    {name: "monitoring", clients: ["198.51.100.7"], paths: ["/healthz"]},
    {name: "office", clients: ["203.0.113.0/24", "2001:db8:1234::/48"]},
    {name: "health checks", paths: ["/status/*"]},
  ];
  const rows: [string | null, string | null][] = [
    ["203.0.113.77", "/"], // office, IPv4
    ["203.0.114.1", "/"], // just outside the /24
    ["2001:db8:1234:ffff::1", "/blog/"], // office, IPv6, last address block of the /48
    ["2001:DB8:1234:0:0:0:0:9", "/"], // another spelling of an office address
    ["2001:db8:1235::1", "/"], // the next /48: not the office
    ["198.51.100.7", "/healthz"], // the monitoring host's check
    ["198.51.100.7", "/"], // the monitoring host asking for anything else: not own traffic
    ["192.0.2.50", "/healthz"], // someone else asking for /healthz
    ["192.0.2.50", "/status/db"], // any client on a health-check path
    ["::ffff:203.0.113.5", "/"], // an IPv4-mapped office address
    ["crawler.example.net", "/"], // a host name is no address
    [null, "/"],
    ["203.0.113.8", null],
  ];
  const got = (await derived(rows, {ownTraffic})).map((r) => r.own_traffic_rule);
  assert.deepEqual(got, ["office", null, "office", "office", null, "monitoring", null, null, "health checks", "office", null, null, "office"]);
  const flags = (await derived(rows, {ownTraffic})).map((r) => r.own_traffic);
  assert.deepEqual(flags, got.map((rule) => rule !== null));
});

test("with no rules nothing is own traffic", async () => {
  const rows = await derived([["203.0.113.77", "/"], ["2001:db8::1", "/healthz"]], {});
  assert.deepEqual(rows.map((r) => [r.own_traffic, r.own_traffic_rule]), [[false, null], [false, null]]);
});
