// A downloaded .mmdb is installed only if maxmind can open it and its metadata names the edition
// we asked for: a City archive holding an ASN database would otherwise break every page.
import {Reader} from "maxmind";
import type {Edition} from "./download-url.js";
import {GeoIpUpdateError} from "./errors.js";

export interface DatabaseMetadata {
  databaseType: string;
  buildTime: Date;
}

/** "City" for GeoLite2-City, "ASN" for GeoLite2-ASN: the word the metadata's database_type must contain. */
export function expectedTypeWord(edition: Edition): string {
  return edition.slice(edition.lastIndexOf("-") + 1);
}

export function checkDatabase(data: Buffer, edition: Edition, what: string): DatabaseMetadata {
  let reader: Reader<Record<string, unknown>>;
  try {
    reader = new Reader<Record<string, unknown>>(data);
    // Walks the search tree and decodes a record: a truncated data section fails here, not later.
    reader.get("81.2.69.142");
  } catch (error) {
    throw new GeoIpUpdateError(`${what} is not a readable MaxMind database: ${(error as Error).message}; nothing was installed`);
  }
  const databaseType = String(reader.metadata.databaseType);
  const word = expectedTypeWord(edition);
  if (!databaseType.split("-").includes(word)) {
    throw new GeoIpUpdateError(`${what} is a ${databaseType} database, not a ${word} database; nothing was installed`);
  }
  return {databaseType, buildTime: reader.metadata.buildEpoch};
}
