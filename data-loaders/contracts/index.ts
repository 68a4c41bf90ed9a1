// What the site's data and its pages agree on: the columns every page filters on, the request
// classes, the Security page's patterns, the duration buckets and the client networks. Defined
// here once; the library makes the site's data with them, and the pages read the same code from
// src/components/contracts.js, which scripts/bundle-libraries.ts generates from this module (the
// browser is served only what is under src/).
export * from "./filter-columns.js";
export * from "./request-classes.js";
export * from "./suspicious.js";
export * from "./duration-buckets.js";
export * from "./network.js";
export * from "./engine-settings.js";
export * from "./all-days.js";
export * from "./summary-views.js";
