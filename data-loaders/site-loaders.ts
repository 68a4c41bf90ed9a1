// The site's data loaders (src/data/*.parquet.ts) read the local store. Framework re-runs a
// loader when its file is newer than its cached output, in `build` and live in `preview`, so a
// store that changed marks them stale by touching them.
import {readdir, utimes} from "node:fs/promises";
import {join} from "node:path";

export const SITE_DATA_DIR = "src/data";

export async function markSiteDataStale(projectDir: string): Promise<string[]> {
  const dir = join(projectDir, SITE_DATA_DIR);
  const loaders = (await readdir(dir).catch(() => [] as string[])).filter((name) => /\.parquet\.ts$/.test(name));
  const now = new Date();
  for (const name of loaders) await utimes(join(dir, name), now, now);
  return loaders;
}
