// Local access-log files as a source: finding them under the paths a user gives, and reading
// their bytes (decompressed when .gz) from any offset, so a file is read on from where it was left.
import {createReadStream} from "node:fs";
import {open, readdir, stat} from "node:fs/promises";
import {join, relative, resolve, sep} from "node:path";
import {createGunzip} from "node:zlib";
import {instanceOfFile} from "./instance-name.js";

export interface LogFile {
  /** Absolute path. */
  path: string;
  /** The path as shown to the user and kept in s3_key: relative to the current folder when inside it. */
  shown: string;
  /** The log_stream of its events. */
  instance: string;
  /** A .gz file: read through gunzip, and final (a compressed file does not grow). */
  compressed: boolean;
}

/** A file or folder the user named that cannot be read: one line saying which and why. */
export class LogFileError extends Error {
  override name = "LogFileError";
}

/** In a folder, files whose name (less .gz and a rotation suffix) says access log; error logs are not. */
const ACCESS_LOG_NAME = /(?:access|[._-]log$)/i;
const ERROR_LOG_NAME = /error/i;
const COMPRESSION = /\.gz$/i;
const ROTATION = /(?:[.-]\d+|[.-]\d{4}-\d{2}-\d{2})$/;

/** Whether a file met inside a folder is taken as an access log (a file named outright always is). */
export function looksLikeAccessLog(name: string): boolean {
  if (name.startsWith(".")) return false;
  const stem = name.replace(COMPRESSION, "").replace(ROTATION, "");
  return ACCESS_LOG_NAME.test(stem) && !ERROR_LOG_NAME.test(stem);
}

/**
 * The access-log files under `paths` (files as named; folders searched through, see
 * looksLikeAccessLog), each once, in path order. Throws LogFileError for a path that does not
 * exist or cannot be read.
 */
export async function findLogFiles(paths: readonly string[], cwd: string = process.cwd()): Promise<LogFile[]> {
  const found = new Map<string, LogFile>();
  const add = (path: string) => {
    if (!found.has(path)) found.set(path, {path, shown: shownPath(path, cwd), instance: instanceOfFile(path, cwd), compressed: COMPRESSION.test(path)});
  };
  for (const given of paths) {
    const path = resolve(cwd, given);
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new LogFileError(`cannot read ${given}: ${describeError(error)}`);
    });
    if (info.isDirectory()) {
      const entries = await readdir(path, {recursive: true, withFileTypes: true}).catch((error: NodeJS.ErrnoException) => {
        throw new LogFileError(`cannot read the folder ${given}: ${describeError(error)}`);
      });
      const files = entries.filter((e) => e.isFile() && looksLikeAccessLog(e.name) && !isUnderHiddenFolder(relative(path, e.parentPath)));
      for (const entry of files.map((e) => join(e.parentPath, e.name)).sort()) add(entry);
    } else if (info.isFile()) {
      add(path);
    } else {
      throw new LogFileError(`cannot read ${given}: not a file or folder`);
    }
  }
  return [...found.values()];
}

function isUnderHiddenFolder(relativeFolder: string): boolean {
  return relativeFolder.split(sep).some((part) => part.startsWith("."));
}

function shownPath(path: string, cwd: string): string {
  const inside = relative(cwd, path);
  return inside.startsWith("..") || inside === "" ? path : inside.split(sep).join("/");
}

/** A system error as a few words: "no such file", "permission denied"… */
export function describeError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ENOENT":
      return "no such file or folder";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a folder";
    case "Z_DATA_ERROR":
      return `not a valid gzip file (${error.message})`;
    case "Z_BUF_ERROR":
      return "the gzip stream is cut short";
    default:
      return error.message;
  }
}

/** The file's first `maxBytes` bytes, decompressed. */
export async function readHead(file: LogFile, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of readFrom(file, 0, {highWaterMark: Math.min(maxBytes, 64 * 1024)})) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= maxBytes) break;
    }
  } catch (error) {
    throw new LogFileError(`cannot read ${file.shown}: ${describeError(error as NodeJS.ErrnoException)}`);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes);
}

/**
 * The file's bytes (decompressed) from byte `start` to its end, in chunks (a batch is committed
 * between chunks, so they are small). A plain file is read from `start` directly; a compressed
 * one is decompressed from its beginning.
 */
export async function* readFrom(file: LogFile, start: number, {highWaterMark = 64 * 1024} = {}): AsyncGenerator<Buffer> {
  if (!file.compressed) {
    const stream = createReadStream(file.path, {start, highWaterMark});
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } finally {
      stream.destroy();
    }
    return;
  }
  const stream = createReadStream(file.path, {highWaterMark: 256 * 1024}).pipe(createGunzip({chunkSize: highWaterMark}));
  let skip = start;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      yield skip > 0 ? chunk.subarray(skip) : chunk;
      skip = 0;
    }
  } finally {
    stream.destroy();
  }
}

/**
 * The file's size in bytes as read: a plain file's size, or a .gz file's uncompressed size from
 * its gzip trailer (exact below 4 GiB for a single-member file; used only to skip unchanged files).
 */
export async function contentSize(file: LogFile): Promise<number> {
  const info = await stat(file.path);
  if (!file.compressed) return info.size;
  if (info.size < 18) return -1;
  const handle = await open(file.path, "r");
  try {
    const trailer = Buffer.alloc(4);
    await handle.read(trailer, 0, 4, info.size - 4);
    return trailer.readUInt32LE(0);
  } finally {
    await handle.close();
  }
}

/** `bytes` bytes of a plain file from `position`. */
export async function readBytesAt(file: LogFile, position: number, bytes: number): Promise<Buffer> {
  const handle = await open(file.path, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const {bytesRead} = await handle.read(buffer, 0, bytes, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
