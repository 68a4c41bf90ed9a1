// The enrichment `weblog watch` keeps open between polls. Opening GeoLite2 City reads tens of
// megabytes (about 0.2 s), a cost every poll that finds a new object would otherwise pay again;
// kept open, its lookup caches stay warm too. It is opened again when a database file changes
// (`weblog geoip update` installs a new one by rename), so a long watch never enriches with a
// database that was replaced.
import {stat} from "node:fs/promises";
import type {WeblogConfig} from "../config.js";
import {geoIpPaths, openEnrichment, type Enrichment} from "./enrichers.js";

export class KeptEnrichment {
  private kept: {files: string; enrichment: Enrichment} | null = null;

  constructor(
    private readonly config: WeblogConfig,
    private readonly log: (message: string) => void = console.error,
  ) {}

  /** The open enrichment, opened (again) when the databases it would use are not the ones it has. */
  async current(): Promise<Enrichment> {
    const files = await this.databaseFiles();
    if (this.kept?.files !== files) {
      if (this.kept) this.log("GeoLite2 database changed: opened again");
      this.kept = {files, enrichment: await openEnrichment(this.config, this.log)};
    }
    return this.kept.enrichment;
  }

  /** Which database files would be opened now, with their size and time: changes when one is replaced. */
  private async databaseFiles(): Promise<string> {
    const {city, asn} = await geoIpPaths(this.config);
    const describe = (path: string | null) =>
      path === null ? Promise.resolve("none") : stat(path).then((s) => `${path} ${s.size} ${s.mtimeMs} ${s.ino}`, () => `${path} missing`);
    return `${await describe(city)}; ${await describe(asn)}`;
  }
}
