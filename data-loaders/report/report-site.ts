// Where a report keeps its site and its state, and how its site is made: a copy of the workbook's
// Framework project whose loaders read the report's store, built and then moved into place whole,
// so the output folder holds the previous report or the new one, never half of one.
//
//   weblog-report/             the site: static files to serve (`weblog serve weblog-report`)
//   .weblog-report.weblog/     beside it: the store (what was read of which file) and the
//                              project copy with Framework's cache (only changed days are remade)
import {existsSync} from "node:fs";
import {cp, mkdir, readdir, rename, rm, symlink} from "node:fs/promises";
import {basename, dirname, join, relative, resolve} from "node:path";
import {bundleLibraries} from "../../scripts/bundle-libraries.js";
import {loadConfig, type WeblogConfig} from "../config.js";
import {buildSite, PACKAGE_DIR} from "../framework.js";
import {refreshSiteData} from "../site-loaders.js";

export interface ReportPaths {
  /** The built site. */
  out: string;
  /** Beside it: the store and the project copy. */
  state: string;
  store: string;
  project: string;
}

export function reportPaths(out: string, cwd: string = process.cwd()): ReportPaths {
  const site = resolve(cwd, out);
  const state = join(dirname(site), `.${basename(site)}.weblog`);
  return {out: site, state, store: join(state, "store"), project: join(state, "project")};
}

/** A report's problem the user can act on: printed as one line, exit code 1. */
export class ReportError extends Error {
  override name = "ReportError";
}

/** Whether `dir` is absent, empty or a site a report built: the only folders a report replaces. */
export async function checkOutputFolder(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const entries = await readdir(dir).catch(() => null);
  if (entries === null) throw new ReportError(`--out ${dir} is not a folder`);
  if (entries.length === 0 || (entries.includes("index.html") && entries.includes("_observablehq"))) return;
  throw new ReportError(`--out ${dir} holds other files, not a report: choose another folder (a report replaces its folder whole)`);
}

/** What of the user's configuration the report's site is made by: the rules and settings the pages count with, and the GeoLite2 databases its footer names. */
export type ReportSettings = Pick<WeblogConfig, "requestClasses" | "ownTraffic" | "site" | "geoip">;

/**
 * The environment the project's loaders and config read the report through: its store, and the
 * settings of the configuration `weblog report` was run with. The project copy lives elsewhere,
 * so the user's weblog.config.json (whose store is not the report's) is not read there; what it
 * says of the site is passed on instead, or own traffic, request classes, own hosts and the visit
 * timeout would silently fall back to their defaults.
 */
export function reportEnvironment(store: string, settings: ReportSettings, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const {WEBLOG_CONFIG: _, ...rest} = env;
  const geoip = settings.geoip;
  return {
    ...rest,
    WEBLOG_STORE: store,
    WEBLOG_REQUEST_CLASSES: JSON.stringify(settings.requestClasses),
    WEBLOG_OWN_TRAFFIC: JSON.stringify(settings.ownTraffic),
    WEBLOG_OWN_HOSTS: settings.site.ownHosts.join(","),
    WEBLOG_VISIT_TIMEOUT_MINUTES: String(settings.site.visitTimeoutMinutes),
    WEBLOG_GEOIP_DIR: geoip.directory,
    ...(geoip.cityDatabase !== null ? {WEBLOG_GEOIP_CITY: geoip.cityDatabase} : {}),
    ...(geoip.asnDatabase !== null ? {WEBLOG_GEOIP_ASN: geoip.asnDatabase} : {}),
  };
}

/** The configuration the report's loaders see (reportEnvironment in its project). */
export function reportSiteConfig(paths: ReportPaths, settings: ReportSettings): WeblogConfig {
  return loadConfig(paths.project, reportEnvironment(paths.store, settings));
}

/**
 * Lays out the workbook's project at `project` afresh from the package's sources (pages,
 * loaders, config; library and node_modules linked), keeping Framework's cache of the loaders'
 * output. File times are kept, so a loader's cached output stays valid until its data changes
 * (refreshSiteData marks what must be made again).
 */
export async function prepareProject(project: string): Promise<void> {
  await mkdir(join(project, "src"), {recursive: true});
  for (const entry of await readdir(project)) if (entry !== "src") await rm(join(project, entry), {recursive: true, force: true});
  for (const entry of await readdir(join(project, "src"))) if (entry !== ".observablehq") await rm(join(project, "src", entry), {recursive: true, force: true});
  const src = join(PACKAGE_DIR, "src");
  await cp(src, join(project, "src"), {recursive: true, preserveTimestamps: true, filter: (path) => !relative(src, path).startsWith(".observablehq")});
  for (const file of ["observablehq.config.ts", "package.json"]) await cp(join(PACKAGE_DIR, file), join(project, file), {preserveTimestamps: true});
  for (const shared of ["data-loaders", "node_modules"]) await symlink(join(PACKAGE_DIR, shared), join(project, shared));
  await bundleLibraries(join(project, "src/components"));
}

/** Builds the site from the store and moves it to `paths.out`, replacing the report there. */
export async function buildReportSite(paths: ReportPaths, settings: ReportSettings): Promise<void> {
  await prepareProject(paths.project);
  await refreshSiteData(paths.project, reportSiteConfig(paths, settings));
  const dist = join(paths.project, "dist");
  await rm(dist, {recursive: true, force: true});
  try {
    await buildSite(paths.project, {env: reportEnvironment(paths.store, settings)});
    await replaceFolder(dist, paths.out);
  } finally {
    await rm(dist, {recursive: true, force: true});
  }
}

/** Puts `from` (a complete folder, on the same file system) at `to`, the old `to` removed after. */
async function replaceFolder(from: string, to: string): Promise<void> {
  const old = join(dirname(to), `.${basename(to)}.old-${process.pid}`);
  const hadOld = existsSync(to);
  if (hadOld) await rename(to, old);
  try {
    await rename(from, to);
  } catch (error) {
    if (hadOld) await rename(old, to);
    throw error;
  }
  if (hadOld) await rm(old, {recursive: true, force: true});
}
