// Which stored file (if any) a file on disk is, by its content: its instance and first bytes,
// then whether it is unchanged, grew, or was rewritten. Names do not count, so a rotation
// (access.log → access.log.1 → access.log.1.gz) keeps a file's identity and its read position.
import {createHash} from "node:crypto";
import type {StoredLogFile} from "../store/manifest.js";
import type {LogFile} from "../sources/local-files.js";

/** The bytes a file is known by, at most: enough lines that two files of one server never share them. */
export const FINGERPRINT_BYTES = 4096;
/** The bytes before the read position kept to tell a file that grew from one rewritten. */
export const TAIL_BYTES = 256;

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The key a new file's rows carry in s3_key: its path and the start of its fingerprint. */
export function logFileKey(file: LogFile, fingerprint: string, taken: (key: string) => boolean): string {
  for (let digits = 8; ; digits += 8) {
    const key = `${file.shown}#${fingerprint.slice(0, digits)}`;
    if (!taken(key) || digits >= fingerprint.length) return key;
  }
}

/**
 * The stored file whose fingerprint the head (the file's first bytes, up to FINGERPRINT_BYTES)
 * starts with, of the same instance; the one known by the most bytes when several are.
 */
export function findStoredFile(file: LogFile, head: Uint8Array, stored: Readonly<Record<string, StoredLogFile>>): [string, StoredLogFile] | null {
  let best: [string, StoredLogFile] | null = null;
  const hashes = new Map<number, string>();
  for (const entry of Object.entries(stored)) {
    const [, known] = entry;
    if (known.instance !== file.instance || known.fingerprint_bytes > head.length) continue;
    let hash = hashes.get(known.fingerprint_bytes);
    if (hash === undefined) hashes.set(known.fingerprint_bytes, (hash = sha256(head.subarray(0, known.fingerprint_bytes))));
    if (hash === known.fingerprint && (best === null || known.fingerprint_bytes > best[1].fingerprint_bytes)) best = entry;
  }
  return best;
}
