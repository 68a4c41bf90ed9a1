// `weblog geoip update [--asn] [--force]`: download the current GeoLite2 City (and ASN) database
// from MaxMind with the configured license key, verify it and install it in geoip.directory.
import {parseArgs} from "node:util";
import {loadConfig} from "../config.js";
import {downloadBaseUrl, type Edition} from "../geoip-update/download-url.js";
import {GeoIpUpdateError} from "../geoip-update/errors.js";
import {requireLicenseKey} from "../geoip-update/license-key.js";
import {updateEdition, type UpdateResult} from "../geoip-update/update.js";
import {UsageError} from "./usage-error.js";

export const GEOIP_USAGE = "weblog geoip update [--asn] [--force]";

export async function runGeoIp(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== "update") {
    throw new UsageError(subcommand === undefined ? `expected a subcommand: ${GEOIP_USAGE}` : `unknown subcommand "${subcommand}": ${GEOIP_USAGE}`);
  }
  let values: {asn?: boolean; force?: boolean};
  try {
    ({values} = parseArgs({args: rest, options: {asn: {type: "boolean"}, force: {type: "boolean"}}, strict: true, allowPositionals: false}));
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (${GEOIP_USAGE})`);
  }

  const config = loadConfig();
  const licenseKey = requireLicenseKey(config);
  const baseUrl = downloadBaseUrl();
  const editions: Edition[] = values.asn ? ["GeoLite2-City", "GeoLite2-ASN"] : ["GeoLite2-City"];
  const options = {directory: config.geoip.directory, licenseKey, baseUrl, force: values.force ?? false, log: (message: string) => console.error(message)};

  for (const edition of editions) {
    let result: UpdateResult;
    try {
      result = await updateEdition(edition, options);
    } catch (error) {
      if (error instanceof GeoIpUpdateError) {
        console.error(`weblog geoip update: ${error.message}`);
        return 1;
      }
      if (typeof (error as NodeJS.ErrnoException).code === "string") {
        console.error(`weblog geoip update: could not install ${edition} in ${config.geoip.directory}: ${(error as Error).message}`);
        return 1;
      }
      throw error;
    }
    console.log(describeResult(result));
    const configured = edition === "GeoLite2-City" ? config.geoip.cityDatabase : config.geoip.asnDatabase;
    const setting = edition === "GeoLite2-City" ? "geoip.cityDatabase (WEBLOG_GEOIP_CITY)" : "geoip.asnDatabase (WEBLOG_GEOIP_ASN)";
    if (configured !== null && configured !== result.path) {
      console.error(`note: ${setting} names ${configured}, which is used instead of ${result.path}; remove that setting to use the downloaded database`);
    }
  }
  return 0;
}

function describeResult(result: UpdateResult): string {
  const build = `build ${result.buildTime.toISOString().slice(0, 10)}${result.releaseDate ? `, release ${result.releaseDate}` : ""}`;
  return result.status === "installed"
    ? `installed ${result.databaseType} (${build}) at ${result.path}`
    : `${result.databaseType} is up to date (${build}) at ${result.path}; --force downloads it again`;
}
