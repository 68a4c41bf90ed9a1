// `weblog build` (`npm run build`): sync, then build the site into dist/ with `observable build`,
// the site's data made beside Framework's own work rather than by its loaders one after another
// (site-prepare.ts). The same site as `weblog sync` then `observable build`, sooner. When only the
// data changed since the last build, dist/ is brought up to date without Framework's build
// (built-site.ts); `--full` builds it with Framework whatever changed.
import {join} from "node:path";
import {timed} from "../build-timings.js";
import {forgetBuiltSite, hasBuiltSiteRecord, readBuiltSite, recordBuiltSite, updateBuiltSite} from "../built-site.js";
import {loadConfig} from "../config.js";
import {runObservableBuild} from "../framework.js";
import {prepareSiteData, preparedPaths, takePreparedIntoFrameworkCache} from "../site-prepare.js";
import {parseOptions, syncAndRefresh} from "./sync.js";

/** How `weblog build` begins its line when only the data changed (the tests and bench:site look for it). */
export const DATA_ONLY_BUILD = "only the data changed since the last build";

export async function runBuild(args: string[]): Promise<number> {
  const {values} = parseOptions(args, {full: {type: "boolean"}});
  const config = loadConfig();
  const project = process.cwd();
  // The browser's libraries and the contracts as the pages import them, made again only when what they are made from changed.
  const {bundleLibraries} = await import("../../scripts/bundle-libraries.js");
  await timed("libraries", () => bundleLibraries(join(project, "src/components")));
  const refresh = await syncAndRefresh(config);
  // A failure here costs only time: each loader then makes its own part, as without it.
  let rollupsMade = () => {};
  const rollups = new Promise<void>((resolve) => (rollupsMade = resolve));
  const prepared = prepareSiteData(project, config, refresh, {onRollupsMade: rollupsMade}).catch((error: unknown) => {
    console.error(`weblog build: the site's data was not made ahead of its loaders (${(error as Error).message}); they make it themselves`);
  });
  // Whether only the data changed, read once the rollups are made: reading it is half a second of
  // this thread's time, which the rollups' many statements would wait on, where the day's events
  // export is one. Otherwise Framework starts at once (it empties dist/ as it starts), and what it
  // builds from is read beside it, for the record.
  const site = !values.full && (await hasBuiltSiteRecord(project)) ? await Promise.race([rollups, prepared]).then(() => timed("site-read", () => readBuiltSite(project))).catch(notRead) : null;
  if (site?.needsBuild === null) {
    const started = performance.now();
    // What was made ahead goes straight into Framework's cache: no loader process starts to ship it.
    const taken = prepared.then(() => takePreparedIntoFrameworkCache(project, config, refresh)).catch((error: unknown) => {
      console.error(`weblog build: what was made ahead was not put in Framework's cache (${(error as Error).message}); the loaders ship it`);
    });
    const update = await updateBuiltSite(site, {paths: preparedPaths(refresh), made: taken}).finally(() => taken);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `weblog build: ${DATA_ONLY_BUILD}: dist/ brought up to date without rebuilding the pages in ${seconds} s ` +
        `(${update.dataFiles} data files, ${update.renamed} files renamed, ${update.pages} pages); \`weblog build --full\` rebuilds everything`,
    );
    return 0;
  }
  if (site) console.log(`weblog build: ${site.needsBuild}: every page is built again`);
  await forgetBuiltSite(project);
  const framework = runObservableBuild(project);
  const built = site ?? (await readBuiltSite(project).catch(notRead));
  const code = await framework;
  await prepared;
  if (code === 0 && built) await recordBuiltSite(built);
  return code;
}

/** What the site is built from could not be read: this build is Framework's, and the next one too. */
function notRead(error: unknown): null {
  console.error(`weblog build: could not read what the site is built from (${(error as Error).message}); Framework builds every page`);
  return null;
}
