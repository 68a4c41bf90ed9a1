// Which pages ship a first view, by the page's route: data/first-view/<route>.json is made by
// src/data/first-view/[page].json.ts with the page's firstView, and the instance pages' by
// src/data/first-view/instances/[instance].json.ts. A page not listed here still works: its
// queries go to DuckDB-WASM (docs/writing-pages.md, "Make it instant").
import * as dataQuality from "./data-quality.js";
import * as explore from "./explore.js";
import * as geography from "./geography.js";
import * as instance from "./instance.js";
import * as overview from "./overview.js";
import type {Ask} from "./query.js";
import * as security from "./security.js";
import * as statusCodes from "./status-codes.js";
import * as traffic from "./traffic.js";
import * as userAgents from "./user-agents.js";

export const FIRST_VIEWS: Record<string, (ask: Ask) => Promise<void>> = {
  index: (ask) => overview.firstView(ask),
  traffic: (ask) => traffic.firstView(ask),
  "status-codes": (ask) => statusCodes.firstView(ask),
  geography: (ask) => geography.firstView(ask),
  "user-agents": (ask) => userAgents.firstView(ask),
  security: (ask) => security.firstView(ask),
  explore: (ask) => explore.firstView(ask),
  "data-quality": (ask) => dataQuality.firstView(ask),
};

export const instanceFirstView = (name: string) => (ask: Ask) => instance.firstView(ask, name);
