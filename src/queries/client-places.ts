// The per-client rows are numbers (requests_by_client_id: `client_id`, and `place_id`, the address
// with its GeoLite2 place); the address and place are in client_places, a row per place, shipped
// once per block of days. A query sums the rows first, by place or by client, and joins the labels
// to those sums: the strings meet thousands of rows, not the million the sums are made of.
// (requests_by_client is the two joined row by row, for an analyst's own query.)
import type {Where} from "./query.js";

/** Each place's `sums` (SQL aggregates over requests_by_client_id's rows) under the filter, with its labels: SQL for a FROM. */
export const placeSums = (where: Where, sums: string) => `(
    SELECT * FROM (SELECT place_id, ${sums} FROM requests_by_client_id ${where.sql} GROUP BY place_id)
    JOIN client_places USING (place_id))`;
