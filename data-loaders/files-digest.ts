// A digest of what a set of files holds, to tell whether anything in them changed since: the
// pages' query sources (site-loaders.ts), everything the pages are built from (built-site.ts).
import {createHash} from "node:crypto";
import {readdir, readFile} from "node:fs/promises";
import {join} from "node:path";

/**
 * A digest of every file under `dirs` (names and contents), and of each of `files`; a missing
 * folder or file counts as empty. `skip` leaves out a folder's entries by their path within it
 * (Framework's cache under src/, say).
 */
export async function digestOf(dirs: string[], {files = [], skip = () => false}: {files?: string[]; skip?: (name: string) => boolean} = {}): Promise<string> {
  const hash = createHash("sha256");
  for (const dir of dirs) {
    const names = (await readdir(dir, {recursive: true}).catch(() => [] as string[])).filter((name) => !skip(name)).sort();
    for (const name of names) {
      const text = await readFile(join(dir, name)).catch(() => null);
      if (text) hash.update(name).update(text);
    }
  }
  for (const file of files) {
    const text = await readFile(file).catch(() => null);
    if (text) hash.update(file).update(text);
  }
  return hash.digest("hex").slice(0, 16);
}
