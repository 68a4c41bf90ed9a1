// The Overview's period comparison and monthly view: the period before is as long as the
// selected one and ends the day before it; requests per month are counted by calendar month in
// DuckDB; networks group IPv4 by /24 and IPv6 by /48 whatever the spelling.
import assert from "node:assert/strict";
import {test} from "node:test";
import {withDuckDB} from "../../data-loaders/write/duckdb.js";
import {change, comparedPeriods} from "../../src/components/compare-periods.js";
import {networkSql} from "../../data-loaders/contracts/network.js";
import {requestsPerMonth} from "../../src/queries/index.js";
import {NO_FILTER} from "../../src/queries/query.js";

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const iso = (date: Date) => date.toISOString().slice(0, 10);

test("the period before is as many days, ending the day before the selected one", () => {
  const chosen = comparedPeriods({from: day("2025-03-10"), to: day("2025-03-16")}, {first: day("2025-01-01"), last: day("2025-04-01")})!;
  assert.deepEqual([iso(chosen.current.from), iso(chosen.current.to), chosen.current.days], ["2025-03-10", "2025-03-16", 7]);
  assert.deepEqual([iso(chosen.previous.from), iso(chosen.previous.to), chosen.previous.days], ["2025-03-03", "2025-03-09", 7]);
  // Nothing chosen: the data's whole span, from its first request's day to its last's.
  const all = comparedPeriods({from: null, to: null}, {first: new Date("2025-02-27T13:00:00Z"), last: new Date("2025-03-01T02:00:00Z")})!;
  assert.deepEqual([iso(all.current.from), iso(all.current.to), iso(all.previous.from), iso(all.previous.to)], ["2025-02-27", "2025-03-01", "2025-02-24", "2025-02-26"]);
  assert.equal(comparedPeriods({from: null, to: null}, {first: null, last: null}), null);
  assert.equal(change(150, 100), 0.5);
  assert.equal(change(5, 0), null);
});

test("requests per month: one row per calendar month of the hourly rollup", async () => {
  await withDuckDB({}, async (duckdb) => {
    await duckdb.run(
      "CREATE VIEW requests_hourly AS SELECT *, false AS own_traffic FROM (VALUES (TIMESTAMP '2025-01-31 23:00', 3), (TIMESTAMP '2025-02-01 00:00', 4), (TIMESTAMP '2025-02-28 10:00', 5), (TIMESTAMP '2025-04-02 10:00', 6), (NULL, 7)) v(ts, requests)",
    );
    const {sql} = requestsPerMonth(NO_FILTER);
    const rows = (await duckdb.runAndReadAll(`SELECT strftime(month, '%Y-%m') AS month, requests::INTEGER AS requests FROM (${sql})`)).getRowObjectsJson();
    assert.deepEqual(rows, [{month: "2025-01", requests: 3}, {month: "2025-02", requests: 9}, {month: "2025-04", requests: 6}]);
  });
});

test("networks: an IPv4 address's /24, an IPv6 address's /48 however it is written, none for a host name", async () => {
  await withDuckDB({}, async (duckdb) => {
    const cases: [string | null, string | null][] = [
      ["203.0.113.9", "203.0.113.0/24"],
      ["2001:db8:4d2:10::1a", "2001:db8:4d2::/48"],
      ["2001:0DB8:04d2:99::7", "2001:db8:4d2::/48"],
      ["2001:db8:85a3:0:0:8a2e:370:7334", "2001:db8:85a3::/48"],
      ["2001:db8::1", "2001:db8:0::/48"],
      ["crawler.example.com", null],
      [null, null],
    ];
    for (const [ip, network] of cases) {
      const [row] = (await duckdb.runAndReadAll(`SELECT ${networkSql()} AS n FROM (SELECT ${ip === null ? "NULL::VARCHAR" : `'${ip}'`} AS client_ip)`)).getRowObjectsJson();
      assert.equal(row.n, network, String(ip));
    }
  });
});
