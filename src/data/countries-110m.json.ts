// Natural Earth country outlines (1:110m) from the world-atlas package, for the Geography map.
// Printed from node_modules so the site carries its own copy: no CDN.
import {createReadStream} from "node:fs";
import {createRequire} from "node:module";

const require = createRequire(import.meta.url);
createReadStream(require.resolve("world-atlas/countries-110m.json")).pipe(process.stdout);
