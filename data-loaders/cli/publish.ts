// `weblog publish`: the store to S3 as Hive-partitioned Parquet, then the table definitions for
// Athena/Glue and Databricks on stdout (progress and the summary go to stderr, so
// `npx weblog publish > tables.sql` keeps just the SQL).
import {loadConfig} from "../config.js";
import {athenaDdl, databricksDdl, TABLE_NAME} from "../publish/ddl.js";
import {tableLocation} from "../publish/layout.js";
import {publishStore, publishTarget} from "../publish/publish-store.js";
import {createS3Client} from "../sources/s3-client.js";
import {UNDATED} from "../store/manifest.js";
import {parseOptions} from "./sync.js";
import {UsageError} from "./usage-error.js";

export const DEFAULT_TABLE = "weblog_events";

export async function runPublish(args: string[]): Promise<number> {
  const {values} = parseOptions(args, {bucket: {type: "string"}, prefix: {type: "string"}, table: {type: "string"}});
  const table = values.table ?? DEFAULT_TABLE;
  if (!TABLE_NAME.test(table)) throw new UsageError(`--table must be a name of letters, digits and underscores (optionally database.table), found "${table}"`);
  const config = loadConfig();
  const target = publishTarget(config, {bucket: values.bucket, prefix: values.prefix});
  const client = createS3Client(config.publish);
  const started = performance.now();
  const result = await publishStore(config, target, {client, log: (message) => console.error(message)});
  console.error(
    `publish: ${result.uploaded.length} days uploaded, ${result.unchanged} unchanged` +
      (result.removed.length > 0 ? `, ${result.removed.length} removed` : "") +
      `; ${result.deletedFiles} older files deleted; s3://${target.bucket}/${target.prefix} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const definition = {table, location: tableLocation(target), firstDay: result.days.find((day) => day !== UNDATED) ?? null};
  console.log(`-- Athena / AWS Glue\n${athenaDdl(definition)}\n\n-- Databricks (Spark SQL)\n${databricksDdl(definition)}`);
  return 0;
}
