// `weblog report <files or folders…>`: the whole workbook from local access-log files,
// GoAccess-style. Checks everything it can before writing anything (files readable, of the
// format asked for, not all empty, the output folder its own), takes the lines not yet stored
// into the report's store, builds the site and moves it into place; or, with --watch, serves
// the live workbook and follows the files as they grow and rotate.
import {existsSync} from "node:fs";
import {rm} from "node:fs/promises";
import {relative} from "node:path";
import {parseArgs} from "node:util";
import {loadConfig, type WeblogConfig} from "../config.js";
import {KeptEnrichment} from "../enrich/kept-enrichment.js";
import {openEnrichment} from "../enrich/enrichers.js";
import {exited, startPreview} from "../framework.js";
import {lineParserFor, NAMED_FORMATS} from "../parse/formats.js";
import {configuredInstanceParsers, everyInstance, type InstanceParsers} from "../parse/instance-formats.js";
import type {LineParser} from "../parse/log-format.js";
import {checkFormat, sampleLines} from "../report/format-check.js";
import {buildReportSite, checkOutputFolder, prepareProject, ReportError, reportEnvironment, reportPaths, reportSiteConfig, type ReportPaths} from "../report/report-site.js";
import {takeInLogFiles, type TakeInResult} from "../report/take-in-files.js";
import {refreshSiteData} from "../site-loaders.js";
import {findLogFiles, readHead, type LogFile} from "../sources/local-files.js";
import {DEFAULT_BATCH_EVENTS} from "../sync.js";
import {positiveInteger} from "./sync.js";
import {UsageError} from "./usage-error.js";
import {stopOnSignals} from "./stop-switch.js";

/** A named format's name, from its LogFormat string: what the message about a mismatch calls it. */
const NAMED_FORMAT_OF = new Map(Object.entries(NAMED_FORMATS).map(([name, format]) => [format, name]));

export const DEFAULT_REPORT_FOLDER = "weblog-report";
/** Bytes of each file whose lines are checked against the format before anything is written. */
const CHECKED_BYTES = 64 * 1024;

export async function runReport(args: string[]): Promise<number> {
  const {values, positionals} = parseReportArgs(args);
  if (positionals.length === 0) throw new UsageError("name the access-log files or folders to report on, e.g. `npx weblog report /var/log/apache2`");
  const config = loadConfig();
  // --format is every file's; without it, each file's instance has its configured format.
  const parsers = values.format !== undefined ? everyInstance(parserFor(values.format, config.timeZone)) : configuredInstanceParsers(config);
  const batchEvents = positiveInteger(values["batch-events"], "--batch-events") ?? DEFAULT_BATCH_EVENTS;
  const port = positiveInteger(values.port, "--port") ?? 3000;
  const seconds = positiveInteger(values.interval, "--interval") ?? config.pollSeconds;
  const paths = reportPaths(values.out ?? DEFAULT_REPORT_FOLDER);

  // 1. Check, before anything is written.
  const files = await findLogFiles(positionals);
  if (files.length === 0) {
    throw new ReportError(`no access-log files in ${positionals.join(", ")}: in a folder, files whose name has "access" or ends in .log are read (name a file outright to read it whatever its name)`);
  }
  await checkFiles(files, parsers, values.format);
  if (!values.watch) await checkOutputFolder(paths.out);

  // 2. Take in, then build (or serve live). A first report that fails leaves nothing behind.
  const log = (message: string) => console.error(message);
  const isFirst = !existsSync(paths.state);
  try {
    log(`Reading ${describeFiles(files)}`);
    const result = await takeInLogFiles(paths.store, files, {parsers, enrichment: () => openEnrichment(config, log), batchEvents, log});
    log(summary(result));
    if (values.watch) return await watchReport(positionals, paths, config, parsers, {seconds, port});
    log("Building the site…");
    await buildReportSite(paths, config);
  } catch (error) {
    if (isFirst) await rm(paths.state, {recursive: true, force: true});
    throw error;
  }
  const shown = relative(process.cwd(), paths.out) || ".";
  console.log(`Report: ${paths.out}`);
  // The pages read Parquet with HTTP range requests: opened as files, they cannot.
  console.log(`Open it: npx weblog serve ${shown.includes(" ") ? JSON.stringify(shown) : shown}   (then http://127.0.0.1:3000/)`);
  return 0;
}

function parseReportArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        format: {type: "string"},
        out: {type: "string"},
        watch: {type: "boolean"},
        port: {type: "string"},
        interval: {type: "string"},
        "batch-events": {type: "string"},
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parserFor(formatName: string, timeZone: string | null): LineParser {
  try {
    return lineParserFor(formatName, {timeZone});
  } catch (error) {
    throw new UsageError(`--format: ${(error as Error).message}`);
  }
}

/**
 * Every file readable (a .gz one a real gzip stream), its first lines mostly of the format, and
 * not all files empty: else one line saying which file and what to do, and nothing is written.
 */
async function checkFiles(files: readonly LogFile[], parsers: InstanceParsers, given: string | undefined): Promise<void> {
  let withLines = 0;
  for (const file of files) {
    const head = await readHead(file, CHECKED_BYTES);
    const lines = sampleLines(head, file.compressed && head.length < CHECKED_BYTES);
    if (lines.length === 0) continue;
    withLines++;
    const parser = parsers.parserFor(null, file.instance);
    const formatName = given ?? NAMED_FORMAT_OF.get(parser.format) ?? parser.format;
    const mismatch = checkFormat(lines, parser, formatName);
    if (mismatch === null) continue;
    const format = formatName.includes("%") ? "of the LogFormat given" : `"${formatName}" lines`;
    const advice = mismatch.suggestion
      ? `try --format ${mismatch.suggestion}`
      : `no named format fits (${["combined", "common", "vhost_combined", "combinedio", "nginx"].join(", ")}): give the server's LogFormat string, e.g. --format '%h %l %u %t "%r" %>s %b'`;
    throw new ReportError(`${file.shown}: ${mismatch.failed} of its first ${mismatch.lines} lines are not ${format}; ${advice}`);
  }
  if (withLines === 0) {
    throw new ReportError(`nothing to report: ${files.length === 1 ? files[0].shown + " is empty" : `the ${files.length} files found are empty`}`);
  }
}

function describeFiles(files: readonly LogFile[]): string {
  const instances = [...new Set(files.map((f) => f.instance))];
  return `${files.length} file${files.length === 1 ? "" : "s"} of ${instances.length} instance${instances.length === 1 ? "" : "s"} (${instances.join(", ")})`;
}

export function summary(result: TakeInResult): string {
  const parts = [`${result.added} new`, `${result.grown} grown`, `${result.unchanged} unchanged`];
  if (result.rewritten > 0) parts.push(`${result.rewritten} rewritten (their rows replaced)`);
  let text = `report: files ${parts.join(", ")}; ${result.events} events and ${result.rejected} rejected lines taken in`;
  for (const same of result.sameAs) text += `\n  ${same.file} holds the same lines as ${same.as}: read once`;
  if (result.unfinished > 0) text += `\n  ${result.unfinished} file${result.unfinished === 1 ? "'s" : "s'"} last line is not finished yet: it is read once it ends`;
  return text;
}

/**
 * The live workbook on the report's store: `observable preview` of the project copy, and every
 * `seconds` the files found again (new ones, rotations) and what grew taken in; the pages open
 * in a browser update by themselves. Ctrl-C lets a read in progress commit, then stops.
 */
async function watchReport(given: string[], paths: ReportPaths, config: WeblogConfig, parsers: InstanceParsers, {seconds, port}: {seconds: number; port: number}): Promise<number> {
  const enrichment = new KeptEnrichment(config);
  await prepareProject(paths.project);
  await refreshSiteData(paths.project, reportSiteConfig(paths, config));
  const preview = startPreview(paths.project, {env: reportEnvironment(paths.store, config), previewArgs: ["--host", "127.0.0.1", "--port", String(port), "--no-open"], stdio: "pipe"});
  // The preview's own lines go to stderr; stdout says where to look.
  preview.stdout!.pipe(process.stderr);
  preview.stderr!.pipe(process.stderr);
  const switched = stopOnSignals();
  let previewFailed = false;
  preview.once("exit", () => {
    if (!switched.stopping) previewFailed = true;
    switched.stop();
  });
  console.log(`Live report: http://127.0.0.1:${port}/   (following ${given.join(", ")} every ${seconds} s; Ctrl-C to stop)`);
  while (!switched.stopping) {
    await switched.pause(seconds);
    if (switched.stopping) break;
    try {
      const files = await findLogFiles(given);
      const result = await takeInLogFiles(paths.store, files, {parsers, enrichment: () => enrichment.current()});
      if (result.changed) {
        await refreshSiteData(paths.project, reportSiteConfig(paths, config));
        console.error(`${new Date().toISOString()} ${summary(result)}`);
      }
    } catch (error) {
      // A file rotated away mid-read, a .gz still being written: say so, try again next time.
      console.error(`${new Date().toISOString()} report: reading failed, retrying in ${seconds} s: ${(error as Error).message}`);
    }
  }
  if (preview.exitCode === null && preview.signalCode === null) preview.kill("SIGINT");
  await exited(preview);
  if (previewFailed) {
    console.error(`report: the preview (observable preview) ended with exit code ${preview.exitCode}; stopped`);
    return 1;
  }
  console.error("report: stopped");
  return 0;
}
