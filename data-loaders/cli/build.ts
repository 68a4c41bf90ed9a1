// `weblog build` (`npm run build`): sync, then build the site into dist/ with `observable build`,
// the site's data made beside Framework's own work rather than by its loaders one after another
// (site-prepare.ts). The same site as `weblog sync` then `observable build`, sooner.
import {join} from "node:path";
import {loadConfig} from "../config.js";
import {runBuild as runFramework} from "../framework.js";
import {prepareSiteData} from "../site-prepare.js";
import {refreshSiteData} from "../site-loaders.js";
import {DEFAULT_BATCH_EVENTS, syncStore} from "../sync.js";
import {createProgressLine} from "./progress.js";
import {parseOptions, summary} from "./sync.js";

export async function runBuild(args: string[]): Promise<number> {
  parseOptions(args, {});
  const config = loadConfig();
  const project = process.cwd();
  const started = performance.now();
  // The browser's libraries and the contracts as the pages import them, made again only when what they are made from changed.
  const {bundleLibraries} = await import("../../scripts/bundle-libraries.js");
  await bundleLibraries(join(project, "src/components"));
  const progress = createProgressLine(process.stderr);
  const result = await syncStore(config, {log: progress.log, onProgress: progress.update, batchEvents: DEFAULT_BATCH_EVENTS}).finally(() => progress.end());
  const refresh = await refreshSiteData(project, config);
  console.error(summary(result, performance.now() - started));
  const framework = runFramework(project);
  // A failure here costs only time: each loader then makes its own part, as without it.
  const prepared = prepareSiteData(project, config, refresh).catch((error: unknown) => {
    console.error(`weblog build: the site's data was not made ahead of its loaders (${(error as Error).message}); they make it themselves`);
  });
  const code = await framework;
  await prepared;
  return code;
}
