// The enriched event: one row of the events Parquet, one line of `weblog parse` output.
// Column names are a contract (docs/data-dictionary.md, generated from this file): pages, the CLI and other tools rely on them.

/** Milliseconds since the Unix epoch, UTC. */
export type EpochMillis = number;

/** Fields cut from one access-log line by a log-format parser. */
export interface ParsedLine {
  /** Apache `%t` (or nginx `$time_local`) with its UTC offset applied. */
  ts: EpochMillis | null;
  vhost: string | null;
  client_ip: string | null;
  ident: string | null;
  auth_user: string | null;
  method: string | null;
  /** The request target exactly as logged. */
  url: string | null;
  path: string | null;
  query: string | null;
  protocol: string | null;
  status: number | null;
  bytes: number | null;
  referrer: string | null;
  referrer_host: string | null;
  user_agent: string | null;
  /** `%p`: the server port the request came in on. */
  server_port: number | null;
  /** `%D` (µs) or `%T` (s), in microseconds. */
  duration_us: number | null;
  /** `%I`: bytes received, request and headers included (mod_logio). */
  bytes_received: number | null;
  /** `%O`: bytes sent, headers included (mod_logio). */
  bytes_sent: number | null;
}

/** Where an event came from: the S3 object, and the Kafka record or CloudWatch event. */
export interface EventOrigin {
  /** CloudWatch event timestamp (ingestion time), when the record carries one. */
  ingest_ts: EpochMillis | null;
  log_group: string | null;
  log_stream: string | null;
  topic: string | null;
  kafka_partition: number | null;
  /** Exact up to 2^53, far beyond any Kafka offset in practice. */
  kafka_offset: number | null;
  s3_key: string | null;
  /** CloudWatch's own event id, when the source format carries it (Firehose): it identifies the event. */
  event_id: string | null;
}

/** What the user agent says about the client. */
export interface UserAgentFields {
  browser: string | null;
  browser_version: string | null;
  os: string | null;
  /** desktop, mobile, tablet, bot, other… (see docs/data-dictionary.md). */
  device_type: string | null;
  is_bot: boolean;
  /** The crawler's or scanner's name when `is_bot`, e.g. "Googlebot", "Expanse". */
  bot_name: string | null;
}

/** What GeoLite2 says about the client IP. All null for private, unknown or host-name clients. */
export interface GeoFields {
  country_code: string | null;
  country: string | null;
  subdivision: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  time_zone: string | null;
  asn: number | null;
  as_org: string | null;
}

export interface WeblogEvent extends EventOrigin, ParsedLine, UserAgentFields, GeoFields {}

/** The columns GeoLite2 fills, and the ones the user-agent classifier fills. */
export const GEO_FIELD_NAMES: readonly (keyof GeoFields)[] = [
  "country_code", "country", "subdivision", "city", "latitude", "longitude", "time_zone", "asn", "as_org",
];
export const USER_AGENT_FIELD_NAMES: readonly (keyof UserAgentFields)[] = ["browser", "browser_version", "os", "device_type", "is_bot", "bot_name"];

/** A line that did not parse: kept, counted and shown to the analyst, never dropped. */
export interface RejectedLine {
  s3_key: string | null;
  topic: string | null;
  kafka_partition: number | null;
  kafka_offset: number | null;
  /** 1-based line number within the object (or within stdin). */
  line_number: number;
  reason: string;
  /** The offending line, cut to REJECTED_LINE_MAX_CHARS. */
  line: string;
  /** CloudWatch's event id of the line (firehose format), so a re-delivered line is reported once; absent otherwise. */
  event_id?: string | null;
}

export const REJECTED_LINE_MAX_CHARS = 2048;

/** Column type as written to Parquet (DuckDB type names). */
export type ColumnType = "TIMESTAMP" | "VARCHAR" | "INTEGER" | "SMALLINT" | "BIGINT" | "DOUBLE" | "BOOLEAN";

export interface ColumnSpec<Name extends string = string> {
  name: Name;
  type: ColumnType;
  description: string;
}

/**
 * Every events column, in the order written to Parquet and printed by `weblog parse`.
 * The single source of truth for the writer, the CLI and docs/data-dictionary.md.
 */
export const EVENT_COLUMNS: readonly ColumnSpec<keyof WeblogEvent>[] = [
  {name: "ts", type: "TIMESTAMP", description: "Request time from the log line only: Apache %t with its UTC offset applied, or a %{…}t written in local time converted with the timeZone setting. Null when the format logs no date (such rows are stored as day \"undated\" and left out of time charts and date ranges; see ingest_ts)"},
  {name: "ingest_ts", type: "TIMESTAMP", description: "CloudWatch event timestamp (ingestion time): from the record's Kafka key file, else from the record value (firehose, export-task: the log event's own); null when neither has it"},
  {name: "log_group", type: "VARCHAR", description: "CloudWatch log group, from the record's Kafka key file, else the record value, else the topic name"},
  {name: "log_stream", type: "VARCHAR", description: "CloudWatch log stream (the EC2 instance id), from the record's Kafka key file, else the record value, else the topic name; for `weblog report`, the instance its file name says"},
  {name: "topic", type: "VARCHAR", description: "Kafka topic, from the S3 object name; null for the firehose and export-task source formats (no Kafka) and `weblog report`"},
  {name: "kafka_partition", type: "INTEGER", description: "Kafka partition, from the S3 object name; null for the firehose and export-task formats and `weblog report`"},
  {name: "kafka_offset", type: "BIGINT", description: "Kafka offset: the object's start offset plus the record's line index; null for the firehose and export-task formats and `weblog report`"},
  {name: "s3_key", type: "VARCHAR", description: "The S3 object the event was read from; for `weblog report`, the local file, as `<path when first read>#<fingerprint>`"},
  {name: "event_id", type: "VARCHAR", description: "CloudWatch event id (firehose format): identifies the event, stored once however often Firehose delivers it; null for the other formats"},
  {name: "vhost", type: "VARCHAR", description: "Virtual host (%v in vhost_combined), else null"},
  {name: "client_ip", type: "VARCHAR", description: "Client address (%h); a host name when the server resolves names"},
  {name: "ident", type: "VARCHAR", description: "identd user (%l); null for -"},
  {name: "auth_user", type: "VARCHAR", description: "Authenticated user (%u); null for -"},
  {name: "method", type: "VARCHAR", description: "Request method from the request line"},
  {name: "url", type: "VARCHAR", description: "Request target exactly as logged"},
  {name: "path", type: "VARCHAR", description: "url before the ?"},
  {name: "query", type: "VARCHAR", description: "url after the ?, null when there is none"},
  {name: "protocol", type: "VARCHAR", description: "Protocol from the request line, e.g. HTTP/1.1"},
  {name: "status", type: "SMALLINT", description: "Final status (%>s)"},
  {name: "bytes", type: "BIGINT", description: "Response body bytes (%b); null for -"},
  {name: "referrer", type: "VARCHAR", description: "Referer header; null for -"},
  {name: "referrer_host", type: "VARCHAR", description: "Host part of the referrer"},
  {name: "user_agent", type: "VARCHAR", description: "User-Agent header; null for -"},
  {name: "browser", type: "VARCHAR", description: "Browser family from the user agent"},
  {name: "browser_version", type: "VARCHAR", description: "Browser major version"},
  {name: "os", type: "VARCHAR", description: "Operating system family"},
  {name: "device_type", type: "VARCHAR", description: "desktop, mobile, tablet, tv, console, bot or other"},
  {name: "is_bot", type: "BOOLEAN", description: "True for crawlers, scanners, monitors and scripted clients"},
  {name: "bot_name", type: "VARCHAR", description: "The crawler's or scanner's name when is_bot"},
  {name: "country_code", type: "VARCHAR", description: "ISO 3166-1 alpha-2 country code (GeoLite2 City)"},
  {name: "country", type: "VARCHAR", description: "Country name in English"},
  {name: "subdivision", type: "VARCHAR", description: "First subdivision (state, province) in English"},
  {name: "city", type: "VARCHAR", description: "City name in English"},
  {name: "latitude", type: "DOUBLE", description: "Approximate latitude"},
  {name: "longitude", type: "DOUBLE", description: "Approximate longitude"},
  {name: "time_zone", type: "VARCHAR", description: "IANA time zone of the location"},
  {name: "asn", type: "INTEGER", description: "Autonomous system number (GeoLite2 ASN, when configured)"},
  {name: "as_org", type: "VARCHAR", description: "Autonomous system organisation"},
  {name: "server_port", type: "INTEGER", description: "Server port (%p), when logged"},
  {name: "duration_us", type: "BIGINT", description: "Time taken to serve the request in microseconds (%D, or %T × 10⁶), when logged"},
  {name: "bytes_received", type: "BIGINT", description: "Bytes received including headers (%I), when logged"},
  {name: "bytes_sent", type: "BIGINT", description: "Bytes sent including headers (%O), when logged"},
];

export const REJECTED_COLUMNS: readonly ColumnSpec<keyof RejectedLine>[] = [
  {name: "s3_key", type: "VARCHAR", description: "The S3 object the line was read from; for `weblog report`, the local file (`<path>#<fingerprint>`)"},
  {name: "topic", type: "VARCHAR", description: "Kafka topic, from the object name; null for the firehose and export-task formats and `weblog report`"},
  {name: "kafka_partition", type: "INTEGER", description: "Kafka partition, from the object name; null for the firehose and export-task formats and `weblog report`"},
  {name: "kafka_offset", type: "BIGINT", description: "Kafka offset of the record, when known"},
  {name: "line_number", type: "INTEGER", description: "1-based line number within the object or local file (firehose format: the JSON document's number; 0: the object as a whole)"},
  {name: "reason", type: "VARCHAR", description: "Why the line was not an event"},
  {name: "line", type: "VARCHAR", description: "The line as read, cut to 2048 characters"},
  {name: "event_id", type: "VARCHAR", description: "CloudWatch event id of the line (firehose format): a re-delivered line is reported once; else null"},
];
