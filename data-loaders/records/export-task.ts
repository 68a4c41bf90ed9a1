// One CloudWatch Logs export-task object's text → log events. CreateExportTask writes one event
// per line, `<ISO-8601 UTC timestamp> <message>`, e.g.
//   2023-05-14T10:05:03.412Z 203.0.113.9 - - [14/May/2023:15:35:03 +0530] "GET / HTTP/1.1" 200 …
// A line without that timestamp (a message that held a newline, a damaged object) is unreadable.
import type {LogEventItem} from "./log-event.js";

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$/;

/**
 * The log events of the object's lines. The log group is not in an export's keys (one export is
 * one group), so it comes from the caller: the configuration, or null. `invalidUtf8Lines`: lines
 * whose bytes were not UTF-8, rejected rather than loaded altered.
 */
export function* exportTaskLogEvents(
  text: string,
  from: {logGroup: string | null; logStream: string | null},
  invalidUtf8Lines: ReadonlySet<number> = new Set(),
): Generator<LogEventItem> {
  let position = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    position++;
    if (line.trim() === "") continue;
    if (invalidUtf8Lines.has(position)) {
      yield {kind: "unreadable", position, reason: "line: not valid UTF-8", text: line};
      continue;
    }
    const space = line.indexOf(" ");
    const stamp = space < 0 ? line : line.slice(0, space);
    const timestamp = TIMESTAMP.test(stamp) ? Date.parse(stamp) : NaN;
    if (!Number.isFinite(timestamp)) {
      yield {kind: "unreadable", position, reason: "line: no ISO-8601 UTC timestamp before the message", text: line};
      continue;
    }
    yield {kind: "event", id: null, timestamp, message: line.slice(space + 1), logGroup: from.logGroup, logStream: from.logStream, position};
  }
}
