// dist/ brought up to date without Framework's build, when only the site's data changed.
// `observable build` reads and renders every page, hashes every module and bundles its client on
// every run, whatever changed: about 7 s on this machine with nothing new at any history size
// (docs/design-notes.md, "A rebuild with only the data changed"). When nothing but the data
// loaders' outputs changed since dist/ was built (the same pages, components, loaders, config and
// the paths it lists, the same packages), what a new build would write differs from dist/ only in:
//   - the data files at their own paths (data/events/<day>.parquet, data/rollups/<block>/<kind>.parquet);
//   - the attached files, named by their content's hash (_file/data/first-view/<page>.<hash>.json…);
//   - what names those: the modules that attach them (a module's name carries a hash of what it
//     attaches and imports, so its importers' names change too) and the pages.
// updateBuiltSite makes exactly those changes, with Framework's own parts: its loaders (each run as
// `observable build` runs it, its output kept in Framework's cache), its file information and its
// names for files and modules. test/cli/build-command.test.ts checks that dist/ is then byte for
// byte what `observable build` writes. Anything else, or a dist/ this code did not record, is left
// to Framework's build.
import {createHash} from "node:crypto";
import {copyFile, readdir, readFile, rm, stat, writeFile} from "node:fs/promises";
import {join, sep} from "node:path";
import type {FrameworkConfig, FrameworkFileInfo} from "@observablehq/framework/dist/config.js";
import {relativePath} from "@observablehq/framework/dist/path.js";
import {timed} from "./build-timings.js";
import {digestOf} from "./files-digest.js";
import {madeAs, writeFileDurably} from "./store/durable-file.js";

/** What this code records of a dist/ that Framework built, beside Framework's cache. */
const RECORD_FILE = "src/.observablehq/cache/.weblog-built-site.json";
/** Besides src/ (less Framework's cache), what the pages are built from. */
const SHAPE_FILES = ["observablehq.config.ts", "observablehq.config.js", "package-lock.json"];

interface FileInfo {
  size: number;
  mtimeMs: number;
}

interface BuiltSiteRecord {
  /** A digest of everything the pages are built from but the loaders' outputs (siteShape). */
  shape: string;
  /** Each page's HTML as written: a dist/ written since by anything else is not updated here. */
  pages: Record<string, FileInfo>;
  /** Each loader output dist/ holds (a data path, or an attached file's source path), as it was when shipped. */
  outputs: Record<string, FileInfo>;
}

/** The project as Framework would build it now, and whether dist/ can be brought up to date without that build. */
export interface BuiltSite {
  projectDir: string;
  config: FrameworkConfig;
  shape: string;
  /** The data paths and the pages among Framework's paths. */
  dataPaths: string[];
  pagePaths: string[];
  record: BuiltSiteRecord | null;
  /** Why Framework's build is needed, or null when only the data changed. */
  needsBuild: string | null;
}

/** Reads the project's config as Framework does (in `projectDir`, the working folder Framework's paths are relative to). */
export async function readBuiltSite(projectDir: string): Promise<BuiltSite> {
  if (process.cwd() !== projectDir) throw new Error(`readBuiltSite: run in the project folder ${projectDir}, not ${process.cwd()}`);
  // Framework's config module loaded only now, not when `weblog` starts: loading it takes 0.65 s,
  // which here goes by beside the rollups being made rather than before the sync.
  const {readConfig} = await import("@observablehq/framework/dist/config.js");
  const config = await readConfig();
  const dataPaths: string[] = [];
  const pagePaths: string[] = [];
  // As `observable build` sorts them: a path a loader answers is a file, any other a page.
  for await (const path of config.paths()) (config.loaders.find(path) ? dataPaths : pagePaths).push(path);
  const shape = await siteShape(projectDir, config, pagePaths, dataPaths);
  const record = await readFile(join(projectDir, RECORD_FILE), "utf8").then((text) => JSON.parse(text) as BuiltSiteRecord, () => null);
  const site: BuiltSite = {projectDir, config, shape, dataPaths, pagePaths, record, needsBuild: null};
  site.needsBuild = await whyBuild(site);
  return site;
}

async function whyBuild(site: BuiltSite): Promise<string | null> {
  const {projectDir, config, shape, pagePaths, record} = site;
  if (record === null) return "no record of the last build";
  if (record.shape !== shape) return "the pages, their code, the config, the packages or the paths it lists (a new day or instance) changed";
  // A page a loader writes (src/<page>.md.ts) is data Framework must render.
  if (pagePaths.some((path) => !config.loaders.findPage(path)?.path.endsWith(".md"))) return "a page is made by a loader";
  for (const [page, recorded] of Object.entries(record.pages)) {
    const info = await stat(join(projectDir, config.output, page)).catch(() => null);
    if (info === null) return `${config.output}/${page} is missing`;
    if (!sameInfo(info, recorded)) return `${config.output}/${page} was written since`;
  }
  for (const {alias, source} of await attachedFiles(site)) if (!(source in record.outputs)) return `${config.output}${alias} is not of the last build`;
  return null;
}

/**
 * Records dist/ as Framework just built it from `site` (read before that build), so that the next
 * build can bring it up to date when only the data changed.
 */
export async function recordBuiltSite(site: BuiltSite): Promise<void> {
  const {config} = site;
  const outputs: Record<string, FileInfo> = {};
  for (const path of site.dataPaths) outputs[path] = await outputStat(config, path);
  for (const {source} of await attachedFiles(site)) outputs[source] = await outputStat(config, source);
  await writeRecord(site, {shape: site.shape, pages: await pageInfos(site), outputs});
}

/** Whether a build of dist/ is on record (recordBuiltSite), so that the next may go without Framework's. */
export function hasBuiltSiteRecord(projectDir: string): Promise<boolean> {
  return stat(join(projectDir, RECORD_FILE)).then(() => true, () => false);
}

/** Forgets dist/ before Framework builds it again (a build stopped half-way leaves no record). */
export async function forgetBuiltSite(projectDir: string): Promise<void> {
  await rm(join(projectDir, RECORD_FILE), {force: true});
}

export interface BuiltSiteUpdate {
  /** Data files copied into dist/ again. */
  dataFiles: number;
  /** Attached files and modules written under new names. */
  renamed: number;
  /** Pages whose HTML was rewritten. */
  pages: number;
}

/** Outputs put into Framework's cache by other work: their paths are loaded once `made` settles (either way), so that no loader runs for them. */
export interface MadeAhead {
  paths: (path: string) => boolean;
  made: Promise<unknown>;
}

/**
 * Brings dist/ up to date with the loaders' outputs, as `observable build` would write it, when
 * `site.needsBuild` is null. Each loader whose output is missing from Framework's cache runs, as
 * in Framework's build, but all at once.
 */
export async function updateBuiltSite(site: BuiltSite, madeAhead?: MadeAhead): Promise<BuiltSiteUpdate> {
  if (site.needsBuild !== null || site.record === null) throw new Error(`dist/ needs Framework's build: ${site.needsBuild}`);
  try {
    return await updated(site, site.record, madeAhead);
  } catch (error) {
    // dist/ may be half brought up to date: the next build is Framework's.
    await forgetBuiltSite(site.projectDir);
    throw error;
  }
}

async function updated(site: BuiltSite, record: BuiltSiteRecord, madeAhead: MadeAhead | undefined): Promise<BuiltSiteUpdate> {
  const {config} = site;
  const dist = join(site.projectDir, config.output);
  const outputs = {...record.outputs};
  // A loader's output as `observable build` takes it (a cached output older than its loader as it is): its file, its size and time.
  const shipped = async (path: string): Promise<{file: string; info: FileInfo}> => {
    if (madeAhead?.paths(path)) await madeAhead.made.catch(() => {});
    const file = join(config.root, await config.loaders.find(path)!.load({useStale: true}, QUIET));
    return {file, info: fileInfo(await stat(file))};
  };

  // Every loader at once, not one after another as Framework's build runs them: each waits for
  // what the build makes beside it (site-prepare.ts), and is ready when that is, its start and
  // Node's loading of its modules done meanwhile.
  const attached = await attachedFiles(site);
  const [dataOutputs, attachedOutputs] = await timed("site-loads", () =>
    Promise.all([Promise.all(site.dataPaths.map(shipped)), Promise.all(attached.map(({source}) => shipped(source)))]),
  );

  let dataFiles = 0;
  for (const [index, path] of site.dataPaths.entries()) {
    const {file, info} = dataOutputs[index];
    if (sameInfo(info, outputs[path])) continue;
    await madeAs(join(dist, path), (temporary) => copyFile(file, temporary));
    outputs[path] = info;
    dataFiles++;
  }

  // Attached files whose output changed: their new names, and the JSON Framework writes of them.
  const renames = new Map<string, string>();
  const fileJson = new Map<string, {from: FileInfo; to: FileInfo}>();
  for (const [index, {source, alias}] of attached.entries()) {
    const {file, info} = attachedOutputs[index];
    const recorded = outputs[source];
    if (sameInfo(info, recorded)) continue;
    // Its content's hash, for its name, only now: Framework's reads the whole file.
    const newAlias = withHash(`/_file${source}`, outputInfo(config, source).hash.slice(0, 8));
    if (newAlias !== alias) {
      await madeAs(join(dist, newAlias), (temporary) => copyFile(file, temporary));
      renames.set(alias, newAlias);
    }
    fileJson.set(alias, {from: recorded, to: info});
    outputs[source] = info;
  }

  // The modules renamed are added to `renames`.
  const pages = await timed("site-names", () => namingAnew(site, record, renames, fileJson));
  await writeRecord(site, {shape: site.shape, pages: await pageInfos(site), outputs});
  return {dataFiles, renamed: [...renames].filter(([from, to]) => from !== to).length, pages};
}

/**
 * The modules and pages of dist/ with the new names of `renames` and the new information of
 * `fileJson` in their text, the modules renamed as Framework names them (added to `renames`); the
 * old files removed. How many pages were rewritten.
 */
async function namingAnew(site: BuiltSite, record: BuiltSiteRecord, renames: Map<string, string>, fileJson: Map<string, {from: FileInfo; to: FileInfo}>): Promise<number> {
  const {config} = site;
  const dist = join(site.projectDir, config.output);
  // The modules that name a changed file or a renamed module, until none is left: Framework's name
  // for each (its hash covers what it attaches and imports), and their text with the new names.
  const modules = await filesUnder(dist, "_import", (name) => name.endsWith(".js"));
  const texts = new Map<string, string>();
  const textOf = async (alias: string) => texts.get(alias) ?? (await readFile(join(dist, alias), "utf8"));
  const moduleRenames = new Map<string, string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const alias of modules) {
      if (moduleRenames.has(alias)) continue;
      const text = await textOf(alias);
      const rewritten = withNewNames(text, alias, renames, fileJson);
      if (rewritten === text) continue;
      const newAlias = withHash(`/_import${stripHash(alias.slice("/_import".length))}`, (await config.loaders.getLocalModuleHash(stripHash(alias.slice("/_import".length)))).slice(0, 8));
      texts.set(alias, rewritten);
      moduleRenames.set(alias, newAlias);
      if (newAlias !== alias) renames.set(alias, newAlias);
      changed = true;
    }
  }
  // Every module's text with every new name (a module renamed early may import one renamed later).
  for (const alias of moduleRenames.keys()) texts.set(alias, withNewNames(await textOf(alias), alias, renames, fileJson));

  const pages = new Map<string, string>();
  for (const page of Object.keys(record.pages)) {
    const text = await readFile(join(dist, page), "utf8");
    const rewritten = withNewNames(text, `/${page}`, renames, fileJson);
    if (rewritten !== text) pages.set(page, rewritten);
  }

  // New names first, then the files that name them, then the old names go: a reader of dist/
  // meanwhile finds every file a page names.
  for (const [alias, text] of texts) await madeAs(join(dist, moduleRenames.get(alias)!), (temporary) => writeFile(temporary, text));
  for (const [page, text] of pages) await madeAs(join(dist, page), (temporary) => writeFile(temporary, text));
  for (const [alias, newAlias] of renames) if (newAlias !== alias) await rm(join(dist, alias), {force: true});

  return pages.size;
}

/**
 * `text` (of the dist/ file at `from`) with each renamed file's relative path replaced, and each
 * changed file's JSON (path, modification time and size, as Framework writes it in a page's
 * registerFile and a module's FileAttachment) made anew.
 */
function withNewNames(text: string, from: string, renames: Map<string, string>, fileJson: Map<string, {from: FileInfo; to: FileInfo}>): string {
  for (const [alias, {from: before, to}] of fileJson) {
    const oldPath = JSON.stringify(relativePath(from, alias));
    const newPath = JSON.stringify(relativePath(from, renames.get(alias) ?? alias));
    text = text.replaceAll(`"path":${oldPath},"lastModified":${before.mtimeMs},"size":${before.size}`, `"path":${newPath},"lastModified":${to.mtimeMs},"size":${to.size}`);
  }
  for (const [alias, newAlias] of renames) {
    if (newAlias === alias) continue;
    text = text.replaceAll(`"${relativePath(from, alias)}"`, `"${relativePath(from, newAlias)}"`);
  }
  return text;
}

/** The files under dist/_file, each with the source path Framework named it after. */
async function attachedFiles({projectDir, config}: BuiltSite): Promise<{alias: string; source: string}[]> {
  const aliases = await filesUnder(join(projectDir, config.output), "_file", () => true);
  return aliases.map((alias) => ({alias, source: stripHash(alias.slice("/_file".length))}));
}

/** Every file under dist/<dir>, as a path from dist/'s root (/_file/data/x.1234abcd.json). */
async function filesUnder(dist: string, dir: string, keep: (name: string) => boolean): Promise<string[]> {
  const names = await readdir(join(dist, dir), {recursive: true, withFileTypes: true}).catch(() => []);
  return names.filter((entry) => entry.isFile() && keep(entry.name)).map((entry) => `/${join(dir, entry.parentPath.slice(join(dist, dir).length), entry.name)}`);
}

/** A digest of what Framework builds the pages from, the loaders' outputs left out. */
async function siteShape(projectDir: string, config: FrameworkConfig, pagePaths: string[], dataPaths: string[]): Promise<string> {
  const files = await digestOf([join(projectDir, config.root)], {
    files: SHAPE_FILES.map((name) => join(projectDir, name)),
    skip: (name) => name.split(sep)[0] === ".observablehq",
  });
  // What the config gives (its functions as what they give each page: the head, the footer) and the paths it lists.
  const settings = SHAPE_SETTINGS.map((name) => config[name]);
  const fragment = (value: unknown, path: string) => (typeof value === "function" ? (value as (page: object) => unknown)({path, title: null, data: {}}) : value);
  const perPage = pagePaths.map((path) => [path, fragment(config.head, path), fragment(config.header, path), fragment(config.footer, path)]);
  return createHash("sha256").update(files).update(JSON.stringify({settings, perPage, dataPaths})).digest("hex").slice(0, 16);
}

/** The config's settings that shape every page, besides the head, header and footer (Framework's config.js: normalizeConfig). */
const SHAPE_SETTINGS = ["root", "output", "base", "home", "title", "sidebar", "pages", "pager", "scripts", "toc", "style", "globalStylesheets", "search", "duckdb"];

async function pageInfos({projectDir, config, pagePaths}: BuiltSite): Promise<Record<string, FileInfo>> {
  const pages: Record<string, FileInfo> = {};
  for (const path of pagePaths) {
    const page = `${path.slice(1)}.html`;
    const info = await stat(join(projectDir, config.output, page)).catch(() => null);
    if (info) pages[page] = fileInfo(info);
  }
  return pages;
}

async function writeRecord({projectDir}: BuiltSite, record: BuiltSiteRecord): Promise<void> {
  await writeFileDurably(join(projectDir, RECORD_FILE), JSON.stringify(record));
}

/**
 * A loader's output's size and time (its cache file, or the source file of a static one): what the
 * record compares, without the hash Framework's information has, which reads the whole file (the
 * outputs of the 10M site are half a gigabyte).
 */
async function outputStat(config: FrameworkConfig, path: string): Promise<FileInfo> {
  return fileInfo(await stat(join(config.root, config.loaders.getOutputFilePath(path))));
}

/** Framework's information of a loader's output (its cache file, or the source file of a static one). */
function outputInfo(config: FrameworkConfig, path: string): FrameworkFileInfo {
  const info = config.loaders.getOutputInfo(path);
  if (!info) throw new Error(`no output for ${path}`);
  return info;
}

const fileInfo = ({size, mtimeMs}: FileInfo): FileInfo => ({size, mtimeMs: Math.floor(mtimeMs)});
const sameInfo = (info: FileInfo, recorded: FileInfo | undefined) => recorded !== undefined && info.size === recorded.size && Math.floor(info.mtimeMs) === recorded.mtimeMs;

/** `path` without the hash Framework put before its extension (/data/x.1234abcd.json → /data/x.json). */
function stripHash(path: string): string {
  return path.replace(/\.[0-9a-f]{8}(\.[^./]+)?$/, "$1");
}

/** As Framework's build names a file or module by its hash (build.js: applyHash). */
function withHash(path: string, hash: string): string {
  const dot = path.lastIndexOf(".");
  const slash = path.lastIndexOf("/");
  return dot > slash + 1 ? `${path.slice(0, dot)}.${hash}${path.slice(dot)}` : `${path}.${hash}`;
}

/** Framework's loaders report each load; a data-only update says what it did once, at the end. */
const QUIET = {logger: {log() {}, warn() {}, error() {}}, output: {write() {}}};
