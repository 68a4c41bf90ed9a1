// A client's labels: its address with what GeoLite2 said of it, as one value the rollups number
// (`place_id`, rollups/value-ids.ts). The per-client rows carry that number instead of the
// strings, and the labels ship once per block of days (site-data.ts: the client and client_place
// kinds), so the browser stores and aggregates integers and joins the strings to the few rows a
// chart shows. The number is of the whole tuple, not of the address alone: an address looked up
// in two GeoLite2 builds (a database updated between two syncs) has two places, and
// `requests_by_client`, the rows joined to their labels, stays exactly what it was.

/** The columns a place is made of, in the order the labels and `requests_by_client` have them. */
export const CLIENT_PLACE_COLUMNS = ["client_ip", "country", "country_code", "city", "latitude", "longitude", "asn", "as_org"] as const;

/**
 * `source`'s rows with `client_place`, the place as one text: a JSON array of its columns, so that
 * two places have the same text exactly when every column is the same (NULLs included) and every
 * row has one, a missing address too (its rows must join their labels like any other).
 */
export function withClientPlace(source: string): string {
  return `(SELECT *, json_array(${CLIENT_PLACE_COLUMNS.join(", ")})::VARCHAR AS client_place FROM ${source})`;
}
