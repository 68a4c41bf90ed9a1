import assert from "node:assert/strict";
import {mkdtemp, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {after, test} from "node:test";
import {ConfigError, loadConfig, normalizePrefix, requireBucket} from "../../data-loaders/config.js";
import {configuredLineParser} from "../../data-loaders/parse/formats.js";
import {configuredInstanceParsers} from "../../data-loaders/parse/instance-formats.js";

// Every project folder a test made, removed when the file's tests are done.
const projects: string[] = [];
after(() => Promise.all(projects.map((dir) => rm(dir, {recursive: true, force: true}))));

async function projectWith(config?: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "weblog-config-"));
  projects.push(dir);
  if (config !== undefined) await writeFile(join(dir, "weblog.config.json"), typeof config === "string" ? config : JSON.stringify(config));
  return dir;
}

test("with no file and no environment the defaults apply and the bucket is missing", async () => {
  const dir = await projectWith();
  const config = loadConfig(dir, {});
  assert.equal(config.source.bucket, null);
  assert.equal(config.source.prefix, "topics/");
  assert.equal(config.source.endpoint, null);
  assert.equal(config.logFormat, "combined");
  assert.equal(config.store, join(dir, ".weblog/store"));
  assert.throws(() => requireBucket(config), /no bucket configured: set "bucket" in weblog.config.json or the WEBLOG_BUCKET/);
});

test("environment variables win over the file", async () => {
  const dir = await projectWith({bucket: "from-file", region: "eu-west-1", prefix: "logs"});
  const config = loadConfig(dir, {WEBLOG_BUCKET: "from-env", AWS_REGION: "ap-south-1"});
  assert.equal(config.source.bucket, "from-env");
  assert.equal(config.source.region, "ap-south-1");
  assert.equal(config.source.prefix, "logs/");
});

test("an endpoint turns on path-style addressing unless told otherwise", async () => {
  const dir = await projectWith({endpoint: "http://127.0.0.1:9000"});
  assert.equal(loadConfig(dir, {}).source.forcePathStyle, true);
  assert.equal(loadConfig(dir, {WEBLOG_S3_FORCE_PATH_STYLE: "false"}).source.forcePathStyle, false);
  assert.equal(loadConfig(dir, {AWS_ENDPOINT_URL_S3: "https://s3.example.net"}).source.endpoint, "https://s3.example.net");
});

test("relative paths resolve against the config file's directory", async () => {
  const dir = await projectWith({geoip: {cityDatabase: "geo/City.mmdb"}, store: "data/store"});
  const config = loadConfig(dir, {});
  assert.equal(config.geoip.cityDatabase, join(dir, "geo/City.mmdb"));
  assert.equal(config.store, join(dir, "data/store"));
});

test("mistakes in the file are named with the file and the setting", async () => {
  const broken = await projectWith("{ bucket: ");
  assert.throws(() => loadConfig(broken, {}), (e: Error) => e instanceof ConfigError && e.message.includes("is not valid JSON"));
  const unknown = await projectWith({bukket: "x"});
  assert.throws(() => loadConfig(unknown, {}), /unknown setting "bukket"/);
  const wrongType = await projectWith({bucket: 3});
  assert.throws(() => loadConfig(wrongType, {}), /"bucket" must be a string/);
  const badEndpoint = await projectWith();
  assert.throws(() => loadConfig(badEndpoint, {WEBLOG_S3_ENDPOINT: "localhost:9000"}), /must be an http\(s\) URL/);
  assert.throws(() => loadConfig(badEndpoint, {WEBLOG_CONFIG: "missing.json"}), /WEBLOG_CONFIG names .*missing.json, which does not exist/);
});

test("prefixes are normalised to end in a slash", () => {
  assert.equal(normalizePrefix("topics"), "topics/");
  assert.equal(normalizePrefix("/topics/"), "topics/");
  assert.equal(normalizePrefix(""), "");
});

test("poll and full-listing intervals: defaults, file, environment, and a clear message for nonsense", async () => {
  const defaults = loadConfig(await projectWith(), {});
  assert.deepEqual([defaults.pollSeconds, defaults.fullListingMinutes], [5, 60]);
  const dir = await projectWith({pollSeconds: 2, fullListingMinutes: 15});
  assert.deepEqual([loadConfig(dir, {}).pollSeconds, loadConfig(dir, {}).fullListingMinutes], [2, 15]);
  assert.equal(loadConfig(dir, {WEBLOG_FULL_LISTING_MINUTES: "240"}).fullListingMinutes, 240);
  assert.throws(() => loadConfig(dir, {WEBLOG_FULL_LISTING_MINUTES: "never"}), /WEBLOG_FULL_LISTING_MINUTES must be a positive number, found "never"/);
  const bad = await projectWith({fullListingMinutes: 0});
  assert.throws(() => loadConfig(bad, {}), /"fullListingMinutes" must be a positive number/);
});

test("the source format is the S3 sink unless configured, and sets the default prefix", async () => {
  const none = loadConfig(await projectWith(), {});
  assert.equal(none.source.format, "s3-sink");
  const firehose = loadConfig(await projectWith({format: "firehose", bucket: "b"}), {});
  assert.equal(firehose.source.format, "firehose");
  assert.equal(firehose.source.prefix, "");
  const exported = loadConfig(await projectWith({format: "firehose"}), {WEBLOG_SOURCE_FORMAT: "export-task", WEBLOG_LOG_GROUP: "cloudwatchLogsEC2"});
  assert.equal(exported.source.format, "export-task");
  assert.equal(exported.source.prefix, "exportedlogs/");
  assert.equal(exported.source.logGroup, "cloudwatchLogsEC2");
  assert.equal(loadConfig(await projectWith({format: "export-task", prefix: "exports", logGroup: "web"}), {}).source.prefix, "exports/");
  const dir = await projectWith();
  assert.throws(() => loadConfig(dir, {WEBLOG_SOURCE_FORMAT: "kinesis"}), /source format must be one of s3-sink, firehose, export-task, found "kinesis"/);
  await assert.rejects(async () => loadConfig(await projectWith({format: 3}), {}), /"format" must be a string/);
});

test("timeZone: from the file or WEBLOG_TIME_ZONE (which wins), checked against the runtime's zones", async () => {
  const dir = await projectWith({timeZone: "Europe/Berlin"});
  assert.equal(loadConfig(dir, {}).timeZone, "Europe/Berlin");
  assert.equal(loadConfig(dir, {WEBLOG_TIME_ZONE: "America/New_York"}).timeZone, "America/New_York");
  assert.equal(loadConfig(await projectWith(), {}).timeZone, null);
  const misspelt = await projectWith({timeZone: "Europe/Berln"});
  assert.throws(() => loadConfig(misspelt, {}), (e: Error) => e instanceof ConfigError && e.message === '"timeZone" must be an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC", found "Europe/Berln"');
  assert.throws(() => loadConfig(dir, {WEBLOG_TIME_ZONE: "CET+1"}), /^ConfigError: WEBLOG_TIME_ZONE must be an IANA time zone name/);
  const notAString = await projectWith({timeZone: 1});
  assert.throws(() => loadConfig(notAString, {}), /"timeZone" must be a string/);
});

test("a local-time logFormat without timeZone is a ConfigError before sync does anything; with one it reads", async () => {
  const format = '%h [%{%Y-%m-%d %H:%M:%S}t] "%r" %>s';
  const refused = loadConfig(await projectWith({logFormat: format}), {});
  assert.throws(() => configuredLineParser(refused), (e: Error) => e instanceof ConfigError && /^logFormat: log format: %\{%Y-%m-%d %H:%M:%S\}t writes the servers' local time with no UTC offset; set "timeZone"/.test(e.message));
  const configured = loadConfig(await projectWith({logFormat: format, timeZone: "Asia/Kolkata"}), {});
  const parsed = configuredLineParser(configured).parse('10.0.0.1 [2026-11-24 05:30:00] "GET / HTTP/1.1" 200');
  assert.equal("ts" in parsed && parsed.ts, Date.parse("2026-11-24T00:00:00Z"));
});

test("publish: bucket and prefix from the file or WEBLOG_PUBLISH_* (which win); region and endpoint default to the source's", async () => {
  const dir = await projectWith({region: "ap-south-1", endpoint: "http://127.0.0.1:9000", publish: {bucket: "lake", prefix: "/tables/weblog"}});
  const fromFile = loadConfig(dir, {});
  assert.deepEqual(fromFile.publish, {bucket: "lake", prefix: "tables/weblog/", region: "ap-south-1", endpoint: "http://127.0.0.1:9000", forcePathStyle: true});
  const fromEnv = loadConfig(dir, {WEBLOG_PUBLISH_BUCKET: "other", WEBLOG_PUBLISH_PREFIX: "x", WEBLOG_PUBLISH_REGION: "eu-west-1", WEBLOG_PUBLISH_ENDPOINT: "https://s3.example.net"});
  assert.deepEqual(fromEnv.publish, {bucket: "other", prefix: "x/", region: "eu-west-1", endpoint: "https://s3.example.net", forcePathStyle: true});
  const none = loadConfig(await projectWith(), {});
  assert.deepEqual(none.publish, {bucket: null, prefix: "weblog/events/", region: "us-east-1", endpoint: null, forcePathStyle: false});
  const unknown = await projectWith({publish: {bukket: "x"}});
  assert.throws(() => loadConfig(unknown, {}), /unknown setting "publish.bukket" \(known: bucket, prefix, region, endpoint\)/);
  const notObject = await projectWith({publish: "lake"});
  assert.throws(() => loadConfig(notObject, {}), /"publish" must be an object/);
  const wrongType = await projectWith({publish: {bucket: 1}});
  assert.throws(() => loadConfig(wrongType, {}), /"publish.bucket" must be a string/);
  assert.throws(() => loadConfig(dir, {WEBLOG_PUBLISH_ENDPOINT: "s3.example.net"}), /the publish endpoint must be an http\(s\) URL/);
});

test("requestClasses and ownTraffic: rules from the file or from WEBLOG_REQUEST_CLASSES / WEBLOG_OWN_TRAFFIC as JSON (which win); none by default", async () => {
  const none = loadConfig(await projectWith(), {});
  assert.deepEqual([none.requestClasses, none.ownTraffic], [[], []]);
  const rules = {
    requestClasses: [{class: "asset", paths: ["/static/*"], extensions: [".pdf"]}],
    ownTraffic: [{name: "office", clients: ["203.0.113.0/24", "2001:db8:1234::/48"]}, {name: "health checks", paths: ["/healthz"]}],
  };
  const dir = await projectWith(rules);
  assert.deepEqual(loadConfig(dir, {}).requestClasses, rules.requestClasses);
  assert.deepEqual(loadConfig(dir, {}).ownTraffic, rules.ownTraffic);
  const fromEnv = loadConfig(dir, {WEBLOG_OWN_TRAFFIC: JSON.stringify([{name: "monitoring", clients: ["198.51.100.7"], paths: ["/healthz"]}])});
  assert.deepEqual(fromEnv.ownTraffic, [{name: "monitoring", clients: ["198.51.100.7"], paths: ["/healthz"]}]);
  assert.deepEqual(fromEnv.requestClasses, rules.requestClasses);
});

test("a bad request-class or own-traffic rule is one line naming the setting, the rule and what is wrong", async () => {
  const cases: [unknown, RegExp][] = [
    [{requestClasses: {class: "asset"}}, /^"requestClasses" must be a list of rules/],
    [{requestClasses: [{class: "image", paths: ["/img/*"]}]}, /"requestClasses", rule 1: "class" must be one of page, asset, api, other, found "image"/],
    [{requestClasses: [{class: "asset"}]}, /rule 1: the rule for "asset" names no "paths" and no "extensions"/],
    [{requestClasses: [{class: "asset", paths: ["static/*"]}]}, /a path pattern must be a string starting with "\/", found "static\/\*"/],
    [{requestClasses: [{class: "asset", paths: ["/a*b"]}]}, /may have one "\*", at its end/],
    [{requestClasses: [{class: "asset", extensions: ["css"]}]}, /an extension is ".css", "\/" or "", found "css"/],
    [{requestClasses: [{class: "page", paths: ["/"]}, {class: "asset", pattern: "x"}]}, /rule 2: unknown field "pattern"/],
    [{ownTraffic: [{clients: ["203.0.113.0/24"]}]}, /"ownTraffic", rule 1: every rule needs a "name"/],
    [{ownTraffic: [{name: "office"}]}, /the rule "office" names no "clients" and no "paths"/],
    [{ownTraffic: [{name: "office", clients: ["203.0.113.0/33"]}]}, /"office": an IPv4 or IPv6 address or CIDR range .*found "203.0.113.0\/33"/],
    [{ownTraffic: [{name: "office", clients: ["2001:db8::/129"]}]}, /found "2001:db8::\/129"/],
    [{ownTraffic: [{name: "office", clients: ["office.example.com"]}]}, /found "office.example.com"/],
    [{ownTraffic: [{name: "office", clients: []}]}, /"clients" of "office" must be a non-empty list/],
  ];
  for (const [config, message] of cases) {
    const dir = await projectWith(config);
    assert.throws(() => loadConfig(dir, {}), (e: Error) => e instanceof ConfigError && message.test(e.message) && !e.message.includes("\n"), JSON.stringify(config));
  }
  const dir = await projectWith();
  assert.throws(() => loadConfig(dir, {WEBLOG_OWN_TRAFFIC: "[{name: office}]"}), /^ConfigError: WEBLOG_OWN_TRAFFIC must be a JSON list of rules/);
  assert.throws(() => loadConfig(dir, {WEBLOG_REQUEST_CLASSES: '[{"class": "page"}]'}), /^ConfigError: WEBLOG_REQUEST_CLASSES, rule 1: the rule for "page" names no/);
});

test("weblog.config.example.json loads, its rules included", () => {
  const config = loadConfig(resolve(import.meta.dirname, "../.."), {WEBLOG_CONFIG: "weblog.config.example.json"});
  assert.equal(config.source.bucket, "s3sink-3");
  assert.deepEqual(config.ownTraffic.map((rule) => rule.name), ["office", "monitoring"]);
  assert.deepEqual(config.requestClasses, [{class: "asset", paths: ["/static/*"]}]);
  assert.deepEqual(config.logFormats.map((rule) => rule.logGroup ?? rule.logStream), ["apiAppEC2", "i-0e7f1d3b5a9c24d68"]);
});

/** A config file holding `config` is refused with `message`. */
async function assertFileRefused(config: unknown, message: RegExp): Promise<void> {
  const dir = await projectWith(config);
  assert.throws(() => loadConfig(dir, {}), message);
}

test("logFormats: rules from the file or WEBLOG_LOG_FORMATS (which wins), each with a one-line error for a bad value", async () => {
  const rules = [{logGroup: "apiApp", format: "combined"}, {logStream: "i-0vhost", format: "vhost_combined"}];
  const dir = await projectWith({logFormats: rules});
  assert.deepEqual(loadConfig(dir, {}).logFormats, [
    {logGroup: "apiApp", logStream: null, format: "combined"},
    {logGroup: null, logStream: "i-0vhost", format: "vhost_combined"},
  ]);
  assert.deepEqual(loadConfig(dir, {WEBLOG_LOG_FORMATS: JSON.stringify([{logGroup: "g", logStream: "s", format: "common"}])}).logFormats, [{logGroup: "g", logStream: "s", format: "common"}]);
  assert.deepEqual(loadConfig(await projectWith(), {}).logFormats, []);
  assert.throws(() => loadConfig(dir, {WEBLOG_LOG_FORMATS: "[{"}), /^ConfigError: WEBLOG_LOG_FORMATS must be JSON, an array of/);
  await assertFileRefused({logFormats: {apiApp: "combined"}}, /"logFormats" must be an array of \{"logGroup", "logStream", "format"\} objects, found object/);
  await assertFileRefused({logFormats: [{logGroup: "g"}]}, /"logFormats"\[0\] has no "format"/);
  await assertFileRefused({logFormats: [{format: "combined"}]}, /"logFormats"\[0\] names neither a "logGroup" nor a "logStream": for every instance, set "logFormat"/);
  await assertFileRefused({logFormats: [{logGroup: "g", fromat: "x"}]}, /"logFormats"\[0\]: unknown setting "fromat"/);
  assert.throws(() => loadConfig(dir, {WEBLOG_LOG_FORMATS: '[{"logStream": 3, "format": "common"}]'}), /^ConfigError: WEBLOG_LOG_FORMATS\[0\]: "logStream" must be a non-empty string$/);
});

test("logFormats: a rule's format that cannot be read, or needs timeZone, is refused at start naming the rule", async () => {
  const local = '%h [%{%Y-%m-%d %H:%M:%S}t] "%r" %>s';
  const needsZone = loadConfig(await projectWith({logFormats: [{logGroup: "batch", format: local}]}), {});
  assert.throws(() => configuredInstanceParsers(needsZone), (e: Error) => e instanceof ConfigError && /^logFormats\[0\] \(logGroup "batch"\): log format: %\{%Y-%m-%d %H:%M:%S\}t writes the servers' local time with no UTC offset; set "timeZone"/.test(e.message));
  const unknown = loadConfig(await projectWith({logFormats: [{logStream: "i-1", format: "combnied"}]}), {});
  assert.throws(() => configuredInstanceParsers(unknown), /^ConfigError: logFormats\[0\] \(logStream "i-1"\): unknown log format "combnied"/);
});

test("own hosts and the visit timeout: from the file or the environment, checked, own hosts lower case", async () => {
  const dir = await projectWith({ownHosts: ["WWW.Example.com", "example.com"], visitTimeoutMinutes: 45});
  assert.deepEqual(loadConfig(dir, {}).site, {ownHosts: ["example.com", "www.example.com"], visitTimeoutMinutes: 45});
  assert.deepEqual(loadConfig(dir, {WEBLOG_OWN_HOSTS: "a.example, b.example", WEBLOG_VISIT_TIMEOUT_MINUTES: "20"}).site, {ownHosts: ["a.example", "b.example"], visitTimeoutMinutes: 20});
  assert.deepEqual(loadConfig(await projectWith(), {}).site, {ownHosts: [], visitTimeoutMinutes: 30});
  await assert.rejects(async () => loadConfig(await projectWith({ownHosts: "example.com"}), {}), /"ownHosts" must be a list of host names/);
  await assert.rejects(async () => loadConfig(await projectWith({ownHosts: ["https://example.com/"]}), {}), /"ownHosts" must be a list of host names/);
  await assert.rejects(async () => loadConfig(await projectWith({visitTimeoutMinutes: 0}), {}), /"visitTimeoutMinutes" must be a whole number of minutes from 1 to 720, found 0/);
  await assert.rejects(async () => loadConfig(await projectWith({visitTimeoutMinutes: 2.5}), {}), /"visitTimeoutMinutes" must be a whole number/);
  assert.throws(() => loadConfig(dir, {WEBLOG_VISIT_TIMEOUT_MINUTES: "soon"}), /WEBLOG_VISIT_TIMEOUT_MINUTES must be a whole number of minutes from 1 to 720, found "soon"/);
  assert.throws(() => loadConfig(dir, {WEBLOG_OWN_HOSTS: "example.com,http://x/"}), /WEBLOG_OWN_HOSTS must be host names separated by commas .* found "http:\/\/x\/"/);
});
