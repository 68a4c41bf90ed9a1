// The reader thread of a sync (reader-thread.ts): reads each object it is asked for
// (sources/thread-reads.ts) and hands the bytes back without a copy, or, asked to parse it,
// decodes and parses it here and hands back the batch of its events.
import {parentPort, workerData} from "node:worker_threads";
import {SinkObjectParser} from "./ingest-object.js";
import {configuredInstanceParsers} from "./parse/instance-formats.js";
import type {ParseTask, ReaderAnswer, ReaderTask, ReaderThreadData} from "./reader-thread.js";
import {decodeKeyFile} from "./records/connect-key.js";
import {decodeObjectText} from "./sources/object-text.js";
import {ThreadReads} from "./sources/thread-reads.js";
import {errorMessage, type WorkerAnswer} from "./worker-thread.js";

const {source, parsing} = workerData as ReaderThreadData;
const reads = new ThreadReads(source);
const parser = new SinkObjectParser(configuredInstanceParsers(parsing));
const port = parentPort!;

/** The object read and parsed; its bytes' memory kept here to read into again. */
async function readAndParse({parse}: ParseTask) {
  const content = reads.read(parse.content);
  const keys = parse.keys === null ? Promise.resolve(null) : reads.read(parse.keys);
  // Either one's failure is the object's.
  keys.catch(() => {});
  const body = await content;
  const keyBody = await keys;
  // Decoded (or not needed: the object is gone), the bytes are done with.
  const keyFile = keyBody === null || body === null ? null : decodeKeyFile(keyBody.bytes);
  if (keyBody !== null) reads.doneWith(keyBody.bytes);
  if (body === null) return null;
  const {pieces, invalidUtf8Lines} = decodeObjectText(body.bytes);
  reads.doneWith(body.bytes);
  return parser.parse(pieces, parse.object, {problem: body.problem, invalidUtf8Lines}, keyFile);
}

port.on("message", ({id, ...task}: ReaderTask & {id: number}) => {
  for (const buffer of task.recycled) reads.give(buffer);
  const answered = (answer: ReaderAnswer, transfer: ArrayBuffer[] = []) => port.postMessage({id, answer} satisfies WorkerAnswer<ReaderAnswer>, transfer);
  const failed = (error: unknown) => port.postMessage({id, error: errorMessage(error)} satisfies WorkerAnswer<ReaderAnswer>);
  if (task.parse !== undefined) {
    readAndParse(task).then((done) => (done === null ? answered(null) : answered(done.parsed, done.transfer)), failed);
    return;
  }
  reads.read(task).then((body) => {
    if (body === null) return answered(null);
    const bytes = reads.ownBuffer(body.bytes);
    answered({bytes, problem: body.problem}, [bytes.buffer as ArrayBuffer]);
  }, failed);
});
