// Every page's first view, in one archive (Framework extracts data/first-view/<page>.json from it
// when a page asks): the answers to the queries src/<page>.md asks with the default filter (all
// time, every instance and vhost, humans and bots, every status and class, own traffic hidden), computed here with the page's own query
// text, from src/queries/<page>.ts and its `firstView`, over the rollups; and each instance page's
// (instances/<id>.json, src/queries/instance.ts). A page draws from them at once; DuckDB-WASM is
// needed only when the reader changes a filter. One run makes them all, from the rollups the
// store keeps per day, so it costs seconds; it runs again whenever any day changes
// (data-loaders/site-loaders.ts) or src/queries/ is edited. A question whose rows are each one
// day's (filteredPerDay) is answered a block of days at a time, and only the changed blocks again
// (data-loaders/daily-answers.ts). `npm run build` runs this beside Framework's own work, before
// Framework asks for it (data-loaders/site-prepare.ts): then it ships what that run made.
import {existsSync, readdirSync} from "node:fs";
import {fileURLToPath} from "node:url";
import {timed} from "../../data-loaders/build-timings.js";
import {dailyAnswer, removeAnswersNotAsked} from "../../data-loaders/daily-answers.js";
import {loadConfig} from "../../data-loaders/config.js";
import {storedLogStreams} from "../../data-loaders/log-streams.js";
import {openSiteDatabase} from "../../data-loaders/site-database.js";
import {kindRollupsFiles} from "../../data-loaders/site-data.js";
import {shipPreparedFirstViews} from "../../data-loaders/site-prepare.js";
import {tarArchive} from "../../data-loaders/write/tar.js";
import * as instancePage from "../queries/instance.js";
import type {Ask, Query} from "../queries/query.js";
import {answerKey, recordFirstView} from "../queries/shipped.js";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const config = loadConfig();
if (!(await shipPreparedFirstViews(source("../.."), config, process.stdout))) process.stdout.write(tarArchive(await firstViews()));

async function firstViews(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  // The kinds' files first (made by the rollups' loader already, unless it has not run), so the time reported is the first views'.
  await kindRollupsFiles(config);
  await timed("first-views", async () => {
    const database = await openSiteDatabase(config);
    // Pages ask many of the same questions (the filter bar's on every page, the headline numbers on
    // several): each exact question (text and values) is answered once.
    const answers = new Map<string, ReturnType<Ask>>();
    const perDay: Query[] = [];
    const ask: Ask = (query) => {
      const key = answerKey(query);
      if (!answers.has(key)) {
        if (query.perDay) perDay.push(query);
        answers.set(key, query.perDay ? dailyAnswer(config, database, query) : database.rows(query.sql, query.params));
      }
      return answers.get(key)!;
    };
    // Every page src/<page>.md (the same list as observablehq.config.ts): answered when its queries
    // are in src/queries/<page>.ts, empty otherwise (its queries all go to DuckDB-WASM).
    for (const page of readdirSync(source("..")).filter((file) => file.endsWith(".md")).map((file) => file.slice(0, -3))) {
      const firstView = existsSync(source(`../queries/${page}.ts`))
        ? ((await import(`../queries/${page}.js`)) as {firstView?: (ask: Ask) => Promise<void>}).firstView
        : async () => {};
      if (!firstView) throw new Error(`src/queries/${page}.ts exports no firstView(ask)`);
      files.set(`${page}.json`, JSON.stringify(await recordFirstView(firstView, ask)));
    }
    for (const instance of await storedLogStreams(config)) {
      files.set(`instances/${instance}.json`, JSON.stringify(await recordFirstView((a) => instancePage.firstView(a, instance), ask)));
    }
    database.close();
    // Every page asked its questions: the kept answers of questions no page asks any more go.
    await removeAnswersNotAsked(config, perDay);
  });
  return files;
}
