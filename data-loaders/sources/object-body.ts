// An object's content from its bytes as stored: apart from the SDK, so that the reader thread
// loads the SDK only when a read needs it (thread-reads.ts, signed-get.ts).
import {constants, gunzipSync} from "node:zlib";

/** An object's content, and what was wrong with it when it could only be read in part. */
export interface SinkObjectBody {
  bytes: Buffer;
  /** E.g. a gzip stream cut short: the bytes before the cut are in `bytes`. */
  problem: string | null;
}

/**
 * The bytes, gunzipped when they are gzip (whatever the name says: a `.gz` name over plain JSON is
 * read as it is). A gzip stream that ends early gives what came before the cut, with the problem
 * named, so the records before it still load.
 */
export function sinkObjectBody(bytes: Buffer): SinkObjectBody {
  const isGzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (!isGzip) return {bytes, problem: null};
  try {
    return {bytes: gunzipSync(bytes), problem: null};
  } catch (error) {
    // Decompress what is there: a flush instead of an error at the cut.
    const partial = gunzipSync(bytes, {finishFlush: constants.Z_SYNC_FLUSH});
    return {bytes: partial, problem: `gzip data cut short (${(error as Error).message}); ${partial.length} bytes before the cut were read`};
  }
}
