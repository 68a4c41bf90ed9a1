// What the query engine is set to, in the browser (src/components/workbook.ts) and wherever the
// first views are made (site-database.ts): the pages' queries are written for it. The answers are
// the same without it; only their speed differs.

/**
 * Group by integers through an array, not a hash table, when their range fits in this many bits
 * (DuckDB's "perfect hash" aggregate; its default is 12). A day with a client number (`ts::DATE,
 * client_id`, the Traffic page's addresses per day) takes 20 bits at 30 days and 25,000 clients,
 * and was counted four to six times faster so. 22 bits is an array of 4M entries at most: past it the
 * engine hashes, as before.
 */
export const PERFECT_HASH_BITS = 22;

/** The statements that set the engine up, in order. */
export const ENGINE_SETTINGS: readonly string[] = [`SET perfect_ht_threshold = ${PERFECT_HASH_BITS}`];
