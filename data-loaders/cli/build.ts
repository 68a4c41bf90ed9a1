// `weblog build` (`npm run build`): sync, then build the site into dist/ with `observable build`,
// the site's data made beside Framework's own work rather than by its loaders one after another
// (site-prepare.ts). The same site as `weblog sync` then `observable build`, sooner.
import {join} from "node:path";
import {loadConfig} from "../config.js";
import {runObservableBuild} from "../framework.js";
import {prepareSiteData} from "../site-prepare.js";
import {parseOptions, syncAndRefresh} from "./sync.js";

export async function runBuild(args: string[]): Promise<number> {
  parseOptions(args, {});
  const config = loadConfig();
  const project = process.cwd();
  // The browser's libraries and the contracts as the pages import them, made again only when what they are made from changed.
  const {bundleLibraries} = await import("../../scripts/bundle-libraries.js");
  await bundleLibraries(join(project, "src/components"));
  const refresh = await syncAndRefresh(config);
  const framework = runObservableBuild(project);
  // A failure here costs only time: each loader then makes its own part, as without it.
  const prepared = prepareSiteData(project, config, refresh).catch((error: unknown) => {
    console.error(`weblog build: the site's data was not made ahead of its loaders (${(error as Error).message}); they make it themselves`);
  });
  const code = await framework;
  await prepared;
  return code;
}
