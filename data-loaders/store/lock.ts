// One writer at a time per store: sync, watch and the site's loaders may all start at once.
import {open, readFile, rm} from "node:fs/promises";
import {join} from "node:path";
import {setTimeout as sleep} from "node:timers/promises";

export interface StoreLock {
  release(): Promise<void>;
}

const LOCK_FILE = "lock";

/**
 * Takes the store's lock, waiting while another live process holds it. A lock left by a process
 * that no longer runs (killed mid-sync) is taken over: the store's commit protocol makes that safe.
 */
export async function lockStore(storeDir: string, {timeoutMs = 10 * 60_000} = {}): Promise<StoreLock> {
  const path = join(storeDir, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return {release: () => rm(path, {force: true})};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number(await readFile(path, "utf8").catch(() => ""));
    if (holder && !isAlive(holder)) {
      await rm(path, {force: true});
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the store ${storeDir} is locked by process ${holder || "unknown"}; if no sync is running, delete ${path}`);
    await sleep(wait);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
