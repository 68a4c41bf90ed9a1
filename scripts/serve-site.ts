// `tsx scripts/serve-site.ts [DIR]`: serves a built site (dist/ by default) on loopback. The
// server itself is data-loaders/serve-site.ts, which `weblog serve` uses too.
import {resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {serveSite} from "../data-loaders/serve-site.js";

export {serveSite, type SiteServer} from "../data-loaders/serve-site.js";

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? "dist";
  const port = Number(process.env.PORT ?? 3000);
  const site = await serveSite(root, {port});
  console.log(`Serving ${root} at ${site.url}`);
}
