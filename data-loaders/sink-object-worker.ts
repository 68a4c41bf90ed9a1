// The worker thread that parses S3 sink objects for sync (sink-object-parsing.ts starts it): it
// keeps one SinkObjectParser, parses each object it is sent in the order sent, and sends back
// the piece of rows it made with the piece's typed arrays moved, not copied.
import {parentPort, workerData} from "node:worker_threads";
import {SinkObjectParser, type ParseSettings} from "./sink-object-parser.js";
import type {ParseWorkerReply, ParseWorkerRequest} from "./sink-object-parsing.js";
import {pieceTransferList} from "./write/batch-piece.js";

const {settings, batchEvents} = workerData as {settings: ParseSettings; batchEvents: number};
const port = parentPort!;
// A parser that cannot be made (a format that does not compile) fails every object, as it would in the other thread.
let parser: SinkObjectParser | Error;
try {
  parser = new SinkObjectParser(settings, batchEvents);
} catch (error) {
  parser = error instanceof Error ? error : new Error(String(error));
}

port.on("message", (request: ParseWorkerRequest) => {
  if (request.kind === "end-batch") {
    if (!(parser instanceof Error)) parser.endBatch();
    return;
  }
  let reply: ParseWorkerReply;
  try {
    if (parser instanceof Error) throw parser;
    reply = {kind: "parsed", parsed: parser.parse(request.job)};
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({kind: "failed", name: e.name, message: e.message, stack: e.stack ?? ""} satisfies ParseWorkerReply);
    return;
  }
  port.postMessage(reply, pieceTransferList(reply.parsed.piece));
});
