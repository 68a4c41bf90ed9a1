// The user's configuration: one JSON file (weblog.config.json) plus environment variables,
// environment winning. Credentials are never read here: the AWS SDK's default chain finds them.
import {existsSync, readFileSync} from "node:fs";
import {dirname, resolve} from "node:path";
import {ownTrafficRuleProblem, type OwnTrafficRule} from "./derive/own-traffic.js";
import {requestClassRuleProblem, type RequestClassRule} from "./derive/request-class.js";
import {isTimeZone} from "./parse/time-zone.js";

/**
 * How the CloudWatch events reach the bucket: Kafka's Confluent S3 sink, a subscription filter
 * into Kinesis Data Firehose, or CloudWatch Logs export tasks (docs/configuration.md, Source formats).
 */
export const SOURCE_FORMATS = ["s3-sink", "firehose", "export-task"] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** Where each format writes when no prefix is configured. */
const DEFAULT_PREFIX: Record<SourceFormat, string> = {"s3-sink": "topics/", firehose: "", "export-task": "exportedlogs/"};

export interface SourceConfig {
  format: SourceFormat;
  bucket: string | null;
  /**
   * Key prefix the objects are under, always ending in "/" unless empty: the S3 sink's
   * `topics.dir`, Firehose's S3 prefix, or the export task's destinationPrefix.
   */
  prefix: string;
  /** The log group of an export task's objects, whose keys do not name it; null when not configured. */
  logGroup: string | null;
  region: string;
  /** S3-compatible endpoint URL (MinIO, a local test server…); null for AWS itself. */
  endpoint: string | null;
  /** Path-style addressing, needed by most S3-compatible stores; defaults to true when an endpoint is set. */
  forcePathStyle: boolean;
}

export interface GeoIpConfig {
  /** GeoLite2-City.mmdb to use; null means the managed copy in `directory`, else the bundled sample. */
  cityDatabase: string | null;
  asnDatabase: string | null;
  /** MaxMind license key for `weblog geoip update`. Never logged, never written into the site. */
  licenseKey: string | null;
  /** Where `weblog geoip update` keeps the databases it downloads. */
  directory: string;
}

/**
 * Where `weblog publish` puts the store as Hive-partitioned Parquet (docs/configuration.md,
 * Publishing). Region and endpoint default to the source's: the same account, usually.
 */
export interface PublishConfig {
  bucket: string | null;
  /** Key prefix of the table's location, ending in "/" unless empty. */
  prefix: string;
  region: string;
  endpoint: string | null;
  forcePathStyle: boolean;
}

/** Where published tables go when no prefix is configured. */
export const DEFAULT_PUBLISH_PREFIX = "weblog/events/";

export interface WeblogConfig {
  source: SourceConfig;
  publish: PublishConfig;
  geoip: GeoIpConfig;
  /** A format name (combined, common, vhost_combined, nginx) or an Apache LogFormat string. */
  logFormat: string;
  /**
   * Formats of particular log groups or streams (instances), where they differ from logFormat;
   * the most specific rule that matches an event's group and stream wins (parse/instance-formats.ts).
   */
  logFormats: LogFormatRule[];
  /**
   * IANA time zone of the servers' clocks ("Europe/Berlin"), for a logFormat whose `%{…}t`
   * writes local time with no offset; such a format is refused without it. null when not set.
   */
  timeZone: string | null;
  /** Directory of the local Parquet store that sync fills and the loaders read. */
  store: string;
  /** Seconds between bucket polls in `weblog watch`. */
  pollSeconds: number;
  /**
   * Minutes between listings of every key under the prefix; in between, sync lists only the
   * tail of each topic (sources/incremental-listing.ts).
   */
  fullListingMinutes: number;
  /** Rules putting each request in a class (page, asset, api, other), tried before the defaults (derive/request-class.ts). */
  requestClasses: RequestClassRule[];
  /** Rules marking your own traffic (office, monitoring, health checks), hidden by default (derive/own-traffic.ts). */
  ownTraffic: OwnTrafficRule[];
  /** What the site's pages count requests as (docs/configuration.md, Site): own hosts, visits. */
  site: SiteSettings;
}

/**
 * One entry of `logFormats`: the format of the events of a log group, of a log stream, or of one
 * stream of one group. At least one of the two is given; a null one matches any.
 */
export interface LogFormatRule {
  logGroup: string | null;
  logStream: string | null;
  /** A format name or an Apache LogFormat string, as logFormat. */
  format: string;
}

/**
 * Settings that change what the site's rollups count (data-loaders/site-data.ts), so a change
 * makes every day's rollups again.
 */
export interface SiteSettings {
  /**
   * The site's own host names, lower case: a referrer on one of them is a link inside the site
   * (the Broken links page tells internal links from external ones by it). Empty when not set.
   */
  ownHosts: string[];
  /** Minutes without a request that end a visit (the Visits page). */
  visitTimeoutMinutes: number;
}

export const DEFAULT_SITE_SETTINGS: SiteSettings = {ownHosts: [], visitTimeoutMinutes: 30};

export type Environment = Record<string, string | undefined>;

export const CONFIG_FILE_NAME = "weblog.config.json";

/** Thrown for configuration the user must fix; the message says what and where. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Reads the configuration for the project at `projectDir`: `weblog.config.json` (or the file named
 * by WEBLOG_CONFIG), then environment variables on top. Relative paths are resolved against the
 * directory of the config file, or the project directory when there is none.
 */
export function loadConfig(projectDir: string = process.cwd(), env: Environment = process.env): WeblogConfig {
  const file = env.WEBLOG_CONFIG ? resolve(projectDir, env.WEBLOG_CONFIG) : resolve(projectDir, CONFIG_FILE_NAME);
  if (env.WEBLOG_CONFIG && !existsSync(file)) throw new ConfigError(`WEBLOG_CONFIG names ${file}, which does not exist`);
  const json = existsSync(file) ? readConfigFile(file) : {};
  const baseDir = existsSync(file) ? dirname(file) : projectDir;
  return resolveConfig(json, env, baseDir);
}

/** The shape of weblog.config.json; every field optional. */
export interface ConfigFile {
  format?: string;
  logGroup?: string;
  bucket?: string;
  prefix?: string;
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  geoip?: {cityDatabase?: string; asnDatabase?: string; licenseKey?: string; directory?: string};
  publish?: {bucket?: string; prefix?: string; region?: string; endpoint?: string};
  logFormat?: string;
  logFormats?: {logGroup?: string; logStream?: string; format: string}[];
  timeZone?: string;
  store?: string;
  pollSeconds?: number;
  fullListingMinutes?: number;
  requestClasses?: unknown;
  ownTraffic?: unknown;
  ownHosts?: string[];
  visitTimeoutMinutes?: number;
}

function readConfigFile(file: string): ConfigFile {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${file} must hold a JSON object, found ${Array.isArray(value) ? "an array" : typeof value}`);
  }
  return checkConfigFile(value as Record<string, unknown>, file);
}

const STRING_FIELDS = ["format", "logGroup", "bucket", "prefix", "region", "endpoint", "logFormat", "timeZone", "store"] as const;
const GEOIP_FIELDS = ["cityDatabase", "asnDatabase", "licenseKey", "directory"] as const;
const PUBLISH_FIELDS = ["bucket", "prefix", "region", "endpoint"] as const;

function checkConfigFile(value: Record<string, unknown>, file: string): ConfigFile {
  const known = new Set<string>([...STRING_FIELDS, "forcePathStyle", "geoip", "publish", "pollSeconds", "fullListingMinutes", "logFormats", "requestClasses", "ownTraffic", "ownHosts", "visitTimeoutMinutes", "$schema"]);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new ConfigError(`${file}: unknown setting "${key}" (known: ${[...known].filter((k) => k !== "$schema").join(", ")})`);
  }
  for (const key of STRING_FIELDS) {
    if (value[key] !== undefined && typeof value[key] !== "string") throw new ConfigError(`${file}: "${key}" must be a string`);
  }
  if (value.forcePathStyle !== undefined && typeof value.forcePathStyle !== "boolean") throw new ConfigError(`${file}: "forcePathStyle" must be true or false`);
  for (const key of ["pollSeconds", "fullListingMinutes"] as const) {
    if (value[key] !== undefined && !(typeof value[key] === "number" && value[key] > 0)) throw new ConfigError(`${file}: "${key}" must be a positive number`);
  }
  if (value.ownHosts !== undefined && !(Array.isArray(value.ownHosts) && value.ownHosts.every((h) => typeof h === "string" && isHostName(h)))) {
    throw new ConfigError(`${file}: "ownHosts" must be a list of host names such as ["example.com", "www.example.com"], found ${JSON.stringify(value.ownHosts)}`);
  }
  if (value.visitTimeoutMinutes !== undefined && !isVisitTimeout(value.visitTimeoutMinutes)) {
    throw new ConfigError(`${file}: "visitTimeoutMinutes" must be a whole number of minutes from 1 to 720, found ${JSON.stringify(value.visitTimeoutMinutes)}`);
  }
  checkStringsObject(value, "geoip", GEOIP_FIELDS, file);
  checkStringsObject(value, "publish", PUBLISH_FIELDS, file);
  if (value.logFormats !== undefined) checkLogFormatRules(value.logFormats, `${file}: "logFormats"`);
  return value as ConfigFile;
}

/**
 * `logFormats` as the file or WEBLOG_LOG_FORMATS gives it: an array of
 * `{"logGroup"?, "logStream"?, "format"}`, each naming a group or a stream or both.
 */
function checkLogFormatRules(rules: unknown, where: string): LogFormatRule[] {
  if (!Array.isArray(rules)) throw new ConfigError(`${where} must be an array of {"logGroup", "logStream", "format"} objects, found ${rules === null ? "null" : typeof rules}`);
  return rules.map((rule: unknown, i) => {
    const at = `${where}[${i}]`;
    if (typeof rule !== "object" || rule === null || Array.isArray(rule)) throw new ConfigError(`${at} must be an object such as {"logGroup": "api", "format": "combined"}`);
    for (const [key, field] of Object.entries(rule)) {
      if (!["logGroup", "logStream", "format"].includes(key)) throw new ConfigError(`${at}: unknown setting "${key}" (known: logGroup, logStream, format)`);
      if (typeof field !== "string" || field === "") throw new ConfigError(`${at}: "${key}" must be a non-empty string`);
    }
    const {logGroup, logStream, format} = rule as {logGroup?: string; logStream?: string; format?: string};
    if (format === undefined) throw new ConfigError(`${at} has no "format"`);
    if (logGroup === undefined && logStream === undefined) throw new ConfigError(`${at} names neither a "logGroup" nor a "logStream": for every instance, set "logFormat"`);
    return {logGroup: logGroup ?? null, logStream: logStream ?? null, format};
  });
}

/** WEBLOG_LOG_FORMATS (JSON, winning) or the file's logFormats; none when neither. */
function resolveLogFormatRules(file: ConfigFile, env: Environment): LogFormatRule[] {
  const text = env.WEBLOG_LOG_FORMATS;
  if (text === undefined || text === "") return file.logFormats ? checkLogFormatRules(file.logFormats, `"logFormats"`) : [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`WEBLOG_LOG_FORMATS must be JSON, an array of {"logGroup", "logStream", "format"} objects: ${(error as Error).message}`);
  }
  return checkLogFormatRules(value, "WEBLOG_LOG_FORMATS");
}

/** A nested setting ("geoip", "publish"): an object of the known string fields only. */
function checkStringsObject(value: Record<string, unknown>, name: string, fields: readonly string[], file: string): void {
  const object = value[name];
  if (object === undefined) return;
  if (typeof object !== "object" || object === null || Array.isArray(object)) throw new ConfigError(`${file}: "${name}" must be an object`);
  for (const [key, field] of Object.entries(object)) {
    if (!fields.includes(key)) throw new ConfigError(`${file}: unknown setting "${name}.${key}" (known: ${fields.join(", ")})`);
    if (typeof field !== "string") throw new ConfigError(`${file}: "${name}.${key}" must be a string`);
  }
}

/** Merges file settings and environment variables into a full configuration with defaults. */
export function resolveConfig(file: ConfigFile, env: Environment, baseDir: string): WeblogConfig {
  const pick = (...values: (string | undefined)[]) => values.find((v) => v !== undefined && v !== "") ?? null;
  const path = (p: string | null) => (p === null ? null : resolve(baseDir, p));
  const endpoint = pick(env.WEBLOG_S3_ENDPOINT, env.AWS_ENDPOINT_URL_S3, env.AWS_ENDPOINT_URL, file.endpoint);
  const forcePathStyleEnv = pick(env.WEBLOG_S3_FORCE_PATH_STYLE);
  const pollSeconds = Number(pick(env.WEBLOG_POLL_SECONDS) ?? file.pollSeconds ?? 5);
  if (!(pollSeconds > 0)) throw new ConfigError(`WEBLOG_POLL_SECONDS must be a positive number, found "${env.WEBLOG_POLL_SECONDS}"`);
  const fullListingMinutes = Number(pick(env.WEBLOG_FULL_LISTING_MINUTES) ?? file.fullListingMinutes ?? 60);
  if (!(fullListingMinutes > 0)) throw new ConfigError(`WEBLOG_FULL_LISTING_MINUTES must be a positive number, found "${env.WEBLOG_FULL_LISTING_MINUTES}"`);
  const format = pick(env.WEBLOG_SOURCE_FORMAT, file.format) ?? "s3-sink";
  if (!isSourceFormat(format)) throw new ConfigError(`the source format must be one of ${SOURCE_FORMATS.join(", ")}, found "${format}" (WEBLOG_SOURCE_FORMAT or "format")`);
  if (endpoint !== null && !/^https?:\/\//.test(endpoint)) throw new ConfigError(`the S3 endpoint must be an http(s) URL, found "${endpoint}"`);
  const timeZone = pick(env.WEBLOG_TIME_ZONE, file.timeZone);
  if (timeZone !== null && !isTimeZone(timeZone)) {
    const where = pick(env.WEBLOG_TIME_ZONE) !== null ? "WEBLOG_TIME_ZONE" : `"timeZone"`;
    throw new ConfigError(`${where} must be an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC", found "${timeZone}"`);
  }
  const source: SourceConfig = {
    format,
    bucket: pick(env.WEBLOG_BUCKET, file.bucket),
    prefix: normalizePrefix(pick(env.WEBLOG_PREFIX, file.prefix) ?? DEFAULT_PREFIX[format]),
    logGroup: pick(env.WEBLOG_LOG_GROUP, file.logGroup),
    region: pick(env.WEBLOG_REGION, env.AWS_REGION, env.AWS_DEFAULT_REGION, file.region) ?? "us-east-1",
    endpoint,
    forcePathStyle: forcePathStyleEnv !== null ? forcePathStyleEnv === "true" || forcePathStyleEnv === "1" : file.forcePathStyle ?? endpoint !== null,
  };
  return {
    source,
    publish: resolvePublishConfig(file.publish ?? {}, env, source),
    geoip: {
      cityDatabase: path(pick(env.WEBLOG_GEOIP_CITY, file.geoip?.cityDatabase)),
      asnDatabase: path(pick(env.WEBLOG_GEOIP_ASN, file.geoip?.asnDatabase)),
      licenseKey: pick(env.MAXMIND_LICENSE_KEY, file.geoip?.licenseKey),
      directory: resolve(baseDir, pick(env.WEBLOG_GEOIP_DIR, file.geoip?.directory) ?? ".weblog/geoip"),
    },
    logFormat: pick(env.WEBLOG_LOG_FORMAT, file.logFormat) ?? "combined",
    logFormats: resolveLogFormatRules(file, env),
    timeZone,
    store: resolve(baseDir, pick(env.WEBLOG_STORE, file.store) ?? ".weblog/store"),
    pollSeconds,
    fullListingMinutes,
    requestClasses: rulesSetting(env.WEBLOG_REQUEST_CLASSES, file.requestClasses, "WEBLOG_REQUEST_CLASSES", "requestClasses", requestClassRuleProblem),
    ownTraffic: rulesSetting(env.WEBLOG_OWN_TRAFFIC, file.ownTraffic, "WEBLOG_OWN_TRAFFIC", "ownTraffic", ownTrafficRuleProblem),
    site: resolveSiteSettings(file, env),
  };
}

/**
 * A list of rules, from its environment variable (JSON) or the file; each rule checked, the first
 * problem named with the rule's place in the list.
 */
function rulesSetting<Rule>(fromEnv: string | undefined, fromFile: unknown, envName: string, key: string, problemOf: (rule: unknown) => string | null): Rule[] {
  let rules: unknown = fromFile ?? [];
  let where = `"${key}"`;
  if (fromEnv !== undefined && fromEnv !== "") {
    where = envName;
    try {
      rules = JSON.parse(fromEnv);
    } catch {
      throw new ConfigError(`${envName} must be a JSON list of rules, found ${JSON.stringify(fromEnv.slice(0, 80))}`);
    }
  }
  if (!Array.isArray(rules)) throw new ConfigError(`${where} must be a list of rules, found ${JSON.stringify(rules)}`);
  rules.forEach((rule, i) => {
    const problem = problemOf(rule);
    if (problem) throw new ConfigError(`${where}, rule ${i + 1}: ${problem}`);
  });
  return rules as Rule[];
}

/** Own hosts and the visit timeout, from WEBLOG_OWN_HOSTS (comma-separated) and WEBLOG_VISIT_TIMEOUT_MINUTES or the file. */
function resolveSiteSettings(file: ConfigFile, env: Environment): SiteSettings {
  const hostsEnv = env.WEBLOG_OWN_HOSTS;
  const hosts = hostsEnv !== undefined && hostsEnv !== "" ? hostsEnv.split(",").map((h) => h.trim()).filter((h) => h !== "") : file.ownHosts ?? [];
  const bad = hosts.find((h) => !isHostName(h));
  if (bad !== undefined) throw new ConfigError(`WEBLOG_OWN_HOSTS must be host names separated by commas ("example.com,www.example.com"), found "${bad}"`);
  const timeoutEnv = env.WEBLOG_VISIT_TIMEOUT_MINUTES;
  const timeout = timeoutEnv !== undefined && timeoutEnv !== "" ? Number(timeoutEnv) : file.visitTimeoutMinutes ?? DEFAULT_SITE_SETTINGS.visitTimeoutMinutes;
  if (!isVisitTimeout(timeout)) throw new ConfigError(`WEBLOG_VISIT_TIMEOUT_MINUTES must be a whole number of minutes from 1 to 720, found "${timeoutEnv}"`);
  // Referrer hosts are stored lower case (parse/referrer.ts), so the list is too; a sorted list
  // makes the same hosts in another order the same rollups.
  return {ownHosts: [...new Set(hosts.map((h) => h.toLowerCase()))].sort(), visitTimeoutMinutes: timeout};
}

/** A host name or address as referrer_host holds it: no scheme, path, port or spaces. */
function isHostName(host: string): boolean {
  return /^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$/.test(host);
}

/** Whole minutes, at most 12 hours: a visit's day is read with the day before's last `timeout` minutes. */
function isVisitTimeout(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 720;
}

/** The publish settings; where they are not given, the source's region and endpoint. */
function resolvePublishConfig(file: NonNullable<ConfigFile["publish"]>, env: Environment, source: SourceConfig): PublishConfig {
  const pick = (...values: (string | undefined)[]) => values.find((v) => v !== undefined && v !== "") ?? null;
  const endpoint = pick(env.WEBLOG_PUBLISH_ENDPOINT, file.endpoint);
  if (endpoint !== null && !/^https?:\/\//.test(endpoint)) throw new ConfigError(`the publish endpoint must be an http(s) URL, found "${endpoint}" (WEBLOG_PUBLISH_ENDPOINT or "publish.endpoint")`);
  return {
    bucket: pick(env.WEBLOG_PUBLISH_BUCKET, file.bucket),
    prefix: normalizePrefix(pick(env.WEBLOG_PUBLISH_PREFIX, file.prefix) ?? DEFAULT_PUBLISH_PREFIX),
    region: pick(env.WEBLOG_PUBLISH_REGION, file.region) ?? source.region,
    endpoint: endpoint ?? source.endpoint,
    // An endpoint of its own is an S3-compatible store, which wants path-style URLs.
    forcePathStyle: endpoint !== null ? true : source.forcePathStyle,
  };
}

function isSourceFormat(value: string): value is SourceFormat {
  return (SOURCE_FORMATS as readonly string[]).includes(value);
}

/** "topics" and "/topics/" both mean the keys under "topics/". */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, "");
  return trimmed === "" || trimmed.endsWith("/") ? trimmed : trimmed + "/";
}

/** The bucket, or a message that says how to set one. */
export function requireBucket(config: WeblogConfig): string {
  if (config.source.bucket) return config.source.bucket;
  throw new ConfigError(
    `no bucket configured: set "bucket" in ${CONFIG_FILE_NAME} or the WEBLOG_BUCKET environment variable ` +
      `(see docs/configuration.md), or run "npm run demo" for the bundled sample`,
  );
}
