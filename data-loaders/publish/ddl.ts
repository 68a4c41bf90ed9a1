// The table definitions `weblog publish` prints, made from the column contract (event.ts
// EVENT_COLUMNS): Athena/Glue's CREATE EXTERNAL TABLE (Hive DDL) and Databricks' CREATE TABLE …
// USING parquet (Spark SQL). Both declare `day` a string partition: its values are YYYY-MM-DD and
// "undated" (rows whose log format has no date), which a DATE column could not hold.
import {EVENT_COLUMNS, type ColumnType} from "../event.js";

/** Each Parquet column type (DuckDB's name) as Hive/Athena and Spark SQL declare it. */
const TYPE_NAMES: Record<ColumnType, {hive: string; spark: string}> = {
  // DuckDB writes TIMESTAMP as Parquet INT64 microseconds; the values are UTC.
  TIMESTAMP: {hive: "timestamp", spark: "TIMESTAMP"},
  VARCHAR: {hive: "string", spark: "STRING"},
  INTEGER: {hive: "int", spark: "INT"},
  SMALLINT: {hive: "smallint", spark: "SMALLINT"},
  BIGINT: {hive: "bigint", spark: "BIGINT"},
  DOUBLE: {hive: "double", spark: "DOUBLE"},
  BOOLEAN: {hive: "boolean", spark: "BOOLEAN"},
};

export interface TableDefinition {
  /** Table name, optionally database-qualified: weblog_events, logs.weblog_events. */
  table: string;
  /** s3://bucket/prefix/ */
  location: string;
  /** The first day published (YYYY-MM-DD), for the partition projection's range; null when only undated rows are. */
  firstDay: string | null;
}

/** A table name the DDL can carry unquoted: letters, digits and underscores, optionally database.table. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

function sqlString(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

const quoted = (table: string) => table.split(".").map((part) => `\`${part}\``).join(".");

/** Athena / AWS Glue: an external Parquet table over the published layout, then how its partitions are found. */
export function athenaDdl({table, location, firstDay}: TableDefinition): string {
  const columns = EVENT_COLUMNS.map((c) => `  \`${c.name}\` ${TYPE_NAMES[c.type].hive}`).join(",\n");
  const lines = [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${quoted(table)} (`,
    columns,
    `)`,
    `PARTITIONED BY (\`day\` string)`,
    `STORED AS PARQUET`,
    `LOCATION ${sqlString(location)};`,
    ``,
    `-- Load the partitions, and again after each publish that adds days:`,
    `MSCK REPAIR TABLE ${quoted(table)};`,
  ];
  if (firstDay !== null) {
    const template = `${location}day=\${day}/`;
    lines.push(
      `-- Or let Athena project the days instead (no MSCK REPAIR; day=undated is then not read):`,
      `-- ALTER TABLE ${quoted(table)} SET TBLPROPERTIES ('projection.enabled'='true', 'projection.day.type'='date', ` +
        `'projection.day.format'='yyyy-MM-dd', 'projection.day.range'='${firstDay},NOW', 'storage.location.template'=${sqlString(template)});`,
    );
  }
  return lines.join("\n");
}

/** Databricks (Spark SQL): a Parquet table at the published location, partitioned by day. */
export function databricksDdl({table, location}: TableDefinition): string {
  const columns = [...EVENT_COLUMNS.map((c) => `  \`${c.name}\` ${TYPE_NAMES[c.type].spark}`), "  `day` STRING"].join(",\n");
  return [
    `CREATE TABLE IF NOT EXISTS ${quoted(table)} (`,
    columns,
    `)`,
    `USING parquet`,
    `PARTITIONED BY (\`day\`)`,
    `LOCATION ${sqlString(location)};`,
    ``,
    `-- Find the partitions, and again after each publish that adds or removes days:`,
    `MSCK REPAIR TABLE ${quoted(table)} SYNC PARTITIONS;`,
  ].join("\n");
}
