// CloudWatch Logs export tasks' objects in S3 (CreateExportTask):
//   <prefix, default exportedlogs>/<task id>/<log stream>/000000.gz, 000001.gz, …
// plus an `aws-logs-write-test` object CloudWatch writes at the prefix to check it may write.
// One export task is one log group, which no key names. Task folders are ids, not times, so
// there is no tail to list from: every sync lists the prefix, and only objects not already taken
// in (by key and ETag) are read. Exports are few and their objects immutable.
import {listKeys, type ListedKey} from "./list-keys.js";
import type {ListPages} from "./list-pages.js";

const PART = /^\d{6}\.gz$/;
export const WRITE_TEST_OBJECT = "aws-logs-write-test";

export interface ExportTaskKey {
  taskId: string;
  /** Log stream names may hold "/" (Lambda's do): everything between the task id and the part. */
  logStream: string;
}

export interface ListedExportObject extends ListedKey {
  /** Why the key is not read as events, or null for an export part. */
  skipped: string | null;
}

/** What an export object's key says, or why it is not one. */
export function parseExportTaskKey(key: string, prefix: string): ExportTaskKey | {skipped: string} {
  if (!key.startsWith(prefix)) return {skipped: `not under the prefix "${prefix}"`};
  const rest = key.slice(prefix.length);
  if (rest === WRITE_TEST_OBJECT || rest.endsWith(`/${WRITE_TEST_OBJECT}`)) return {skipped: "CloudWatch's export write test (aws-logs-write-test)"};
  if (key.endsWith("/")) return {skipped: "a folder marker"};
  const first = rest.indexOf("/");
  const last = rest.lastIndexOf("/");
  if (first <= 0 || last <= first + 1 || !PART.test(rest.slice(last + 1))) return {skipped: "not an export task object (<task id>/<log stream>/000000.gz)"};
  return {taskId: rest.slice(0, first), logStream: rest.slice(first + 1, last)};
}

export async function* listExportObjects(listPage: ListPages, where: {bucket: string; prefix: string}): AsyncGenerator<ListedExportObject> {
  for await (const listed of listKeys(listPage, where)) {
    const parsed = parseExportTaskKey(listed.key, where.prefix);
    yield {...listed, skipped: "skipped" in parsed ? parsed.skipped : null};
  }
}
