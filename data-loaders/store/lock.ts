// One writer at a time per store: sync, watch and the site's loaders may all start at once.
//
// The lock is a file, `lock`, holding its holder's pid and a token unique to that taking. It is
// made with link(2) from a file already written, so it never exists half-written, and link fails
// when the lock exists. A lock whose holder no longer runs (killed mid-sync) is taken over, which
// the store's commit protocol makes safe. Several processes may find the same dead holder at once:
// removing its file is itself guarded by a claim file `lock.takeover-<token>`, taken the same way,
// so exactly one of them removes it, and only while it is still the dead holder's. A claim left by
// a claimant that died is taken over in turn by the same rule.
import {randomUUID} from "node:crypto";
import {link, readFile, rm, writeFile} from "node:fs/promises";
import {join} from "node:path";
import {setTimeout as sleep} from "node:timers/promises";

export interface StoreLock {
  release(): Promise<void>;
}

const LOCK_FILE = "lock";

/** Who holds a lock file; older versions wrote the pid alone, which then serves as the token. */
interface Holder {
  pid: number;
  token: string;
}

export interface LockWait {
  /** Give up after this long, whoever holds the lock; by default a live holder is waited for as long as it holds it. */
  timeoutMs?: number;
  /** How often a wait says so, and the holder's pid (by default every minute, on stderr). */
  noticeEveryMs?: number;
  notice?: (message: string) => void;
}

/** How long a lock naming no process (an empty or garbled file) is waited for before the wait ends in an error. */
const UNNAMED_HOLDER_WAIT_MS = 10 * 60_000;

/**
 * Takes the store's lock, waiting while another live process holds it, saying so every
 * `noticeEveryMs`. A lock left by a process that no longer runs is taken over. Without
 * `timeoutMs` a live holder is waited for however long its work takes: the first build of 30M
 * events holds the lock for more than ten minutes while the loaders that Framework starts beside
 * it wait for it, and a wait that ended then failed the build. A file naming no process ends the
 * wait after ten minutes, with the file to delete.
 */
export async function lockStore(storeDir: string, {timeoutMs, noticeEveryMs = 60_000, notice = (message) => process.stderr.write(`${message}\n`)}: LockWait = {}): Promise<StoreLock> {
  const path = join(storeDir, LOCK_FILE);
  const started = Date.now();
  let noticed = started;
  for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
    const lock = await takeLockFile(path);
    if (lock) return lock;
    const holder = await readHolder(path);
    const named = holder !== null && isProcessId(holder.pid);
    const waited = Date.now() - started;
    if ((timeoutMs !== undefined && waited > timeoutMs) || (!named && waited > UNNAMED_HOLDER_WAIT_MS)) {
      throw new Error(`the store ${storeDir} is locked by process ${named ? holder.pid : "unknown"}; if no sync is running, delete ${path}`);
    }
    if (Date.now() - noticed >= noticeEveryMs) {
      noticed = Date.now();
      notice(`waiting for the store's lock (${path}), held by process ${named ? holder.pid : "unknown"}, for ${Math.round(waited / 1000)} s so far`);
    }
    await sleep(wait);
  }
}

/**
 * Creates the lock file at `path`, or returns null while a live process holds it. A file whose
 * holder is dead is removed first, when this process wins the claim to remove it.
 */
async function takeLockFile(path: string): Promise<StoreLock | null> {
  const token = `${process.pid}-${randomUUID()}`;
  const written = `${path}.${token}.new`;
  await writeFile(written, `${process.pid} ${token}`);
  try {
    for (;;) {
      try {
        await link(written, path);
        return {release: () => removeIfHeldBy(path, token)};
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = await readHolder(path);
      // Released between our link and our read: try again at once.
      if (holder === null) continue;
      if (isAlive(holder.pid)) return null;
      if (!(await removeDeadHolder(path, holder))) return null;
    }
  } finally {
    await rm(written, {force: true});
  }
}

/**
 * Removes `path`, left by the dead `holder`, if this process wins the claim on it; false when a
 * live process holds the claim (it is removing the file). While the claim is held no one else can
 * remove a file with that token, and no new file gets it, so what we read is what we remove.
 */
async function removeDeadHolder(path: string, holder: Holder): Promise<boolean> {
  const claim = await takeLockFile(`${path}.takeover-${holder.token}`);
  if (!claim) return false;
  try {
    if ((await readHolder(path))?.token === holder.token) await rm(path, {force: true});
    return true;
  } finally {
    await claim.release();
  }
}

async function removeIfHeldBy(path: string, token: string): Promise<void> {
  if ((await readHolder(path))?.token === token) await rm(path, {force: true});
}

/** The holder written in `path`, or null when there is no such file. */
async function readHolder(path: string): Promise<Holder | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const [pid, token] = text.trim().split(" ");
  return {pid: Number(pid), token: token ?? pid};
}

const isProcessId = (pid: number) => Number.isSafeInteger(pid) && pid > 0;

function isAlive(pid: number): boolean {
  // A file that names no process (empty, garbled) counts as held: it is not ours to remove.
  if (!isProcessId(pid)) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
