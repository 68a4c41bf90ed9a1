// Files that are either wholly there or not there at all, even if the process is killed or the
// machine loses power: write to a temporary name, fsync, rename, fsync the directory.
import {randomBytes} from "node:crypto";
import {open, rename, rm} from "node:fs/promises";
import {basename, dirname, join} from "node:path";

/** A temporary name beside `path`, on the same file system so rename is atomic. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** True for the names temporaryPathFor makes: leftovers of a write that never finished. */
export function isTemporaryPath(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}

export async function writeFileDurably(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryPathFor(path);
  try {
    const handle = await open(temporary, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, {force: true});
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Makes `file` by `make` writing a temporary file beside it, renamed once whole: a reader finds the
 * old file or the new one, never a part (not flushed to disk: for files made again from the store,
 * such as the site's).
 */
export async function madeAs(file: string, make: (temporary: string) => Promise<unknown>): Promise<void> {
  const temporary = temporaryPathFor(file);
  try {
    await make(temporary);
    await rename(temporary, file);
  } finally {
    await rm(temporary, {force: true});
  }
}

/** Flushes a file someone else wrote (DuckDB's COPY) and moves it into place. */
export async function renameDurably(from: string, to: string): Promise<void> {
  const handle = await open(from, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(from, to);
  await syncDirectory(dirname(to));
}

/** Makes a rename or unlink in `directory` survive a crash. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
