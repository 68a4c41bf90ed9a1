// `weblog geoip update`: for each edition, fetch MaxMind's checksum, skip the download when the
// installed copy came from that same archive, else download, verify, extract, check and install.
import {databaseFromArchive} from "./archive.js";
import {parseChecksumFile, releaseDateOf, sha256Hex} from "./checksum.js";
import {checkDatabase} from "./database-check.js";
import {editionUrl, type Edition} from "./download-url.js";
import {GeoIpUpdateError} from "./errors.js";
import {downloadBytes, type DownloadOptions} from "./http-download.js";
import {currentInstall, databasePath, installDatabase, writeInstallRecord} from "./install.js";

export interface UpdateOptions {
  /** Where the databases go (the configuration's geoip.directory). */
  directory: string;
  licenseKey: string;
  /** MaxMind's download endpoint or a stand-in (downloadBaseUrl). */
  baseUrl: string;
  /** Download even when the installed copy matches MaxMind's current checksum. */
  force?: boolean;
  /** Progress, for stderr. Never given the license key. */
  log?: (message: string) => void;
  download?: DownloadOptions;
}

export interface UpdateResult {
  edition: Edition;
  path: string;
  status: "installed" | "up to date";
  databaseType: string;
  buildTime: Date;
  /** YYYY-MM-DD from MaxMind's archive name, when it has one. */
  releaseDate: string | null;
}

export async function updateEditions(editions: readonly Edition[], options: UpdateOptions): Promise<UpdateResult[]> {
  const results: UpdateResult[] = [];
  for (const edition of editions) results.push(await updateEdition(edition, options));
  return results;
}

export async function updateEdition(edition: Edition, options: UpdateOptions): Promise<UpdateResult> {
  const {directory, licenseKey, baseUrl, log = () => {}} = options;
  const path = databasePath(directory, edition);
  const archiveUrl = editionUrl(baseUrl, edition, licenseKey, "tar.gz");
  const archiveWhat = `the ${edition} archive`;

  const checksumFile = await downloadBytes(editionUrl(baseUrl, edition, licenseKey, "tar.gz.sha256"), `the ${edition} checksum`, licenseKey, options.download);
  const checksum = parseChecksumFile(checksumFile.bytes.toString("utf8"), archiveWhat);
  const releaseDate = releaseDateOf(checksum.fileName);

  const installed = options.force ? null : await currentInstall(directory, edition);
  if (installed !== null && installed.archiveSha256 === checksum.sha256) {
    return {edition, path, status: "up to date", databaseType: installed.databaseType, buildTime: new Date(installed.buildTime), releaseDate};
  }

  log(`downloading ${checksum.fileName ?? `${edition}.tar.gz`} from ${archiveUrl.host}…`);
  const archive = await downloadBytes(archiveUrl, archiveWhat, licenseKey, options.download);
  const actual = sha256Hex(archive.bytes);
  if (actual !== checksum.sha256) {
    throw new GeoIpUpdateError(
      `checksum mismatch: ${archiveWhat} (${archive.bytes.length} bytes) has SHA-256 ${actual}, but MaxMind's checksum file says ${checksum.sha256}. ` +
        `Nothing was installed; the previous database, if any, is kept (${path}). ` +
        `Run the command again: a release published between the two downloads, or a damaged transfer, causes this.`,
    );
  }
  const entry = await databaseFromArchive(archive.bytes, edition, archiveWhat);
  const metadata = checkDatabase(entry.data, edition, `${entry.name} in ${archiveWhat}`);
  await installDatabase(directory, edition, entry.data);
  await writeInstallRecord(directory, {
    edition,
    archiveSha256: checksum.sha256,
    archiveName: checksum.fileName,
    lastModified: archive.lastModified,
    databaseSha256: sha256Hex(entry.data),
    databaseType: metadata.databaseType,
    buildTime: metadata.buildTime.toISOString(),
    installedAt: new Date().toISOString(),
  });
  return {edition, path, status: "installed", databaseType: metadata.databaseType, buildTime: metadata.buildTime, releaseDate};
}
