// The network a client address belongs to, as the Top talkers page groups clients: an IPv4
// address's /24, an IPv6 address's /48 (the usual size of one site's allocation). A host name
// (a server that resolves names) has none.

/** SQL over `column`: "203.0.113.0/24", "2001:db8:4d2::/48", or NULL. */
export function networkSql(column = "client_ip"): string {
  // The hextets before "::" (zeros stand for the ones it leaves out), the first three of them,
  // without leading zeros, so every spelling of an address gives the same network.
  const hextets = `(list_filter(string_split(split_part(lower(${column}), '::', 1), ':'), h -> h <> '') || ['0', '0', '0'])[1:3]`;
  const trimmed = `list_transform(${hextets}, h -> CASE WHEN ltrim(h, '0') = '' THEN '0' ELSE ltrim(h, '0') END)`;
  return (
    `CASE WHEN regexp_matches(${column}, '^\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$') THEN regexp_replace(${column}, '\\.\\d+$', '.0/24') ` +
    `WHEN regexp_matches(${column}, '^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$') THEN array_to_string(${trimmed}, ':') || '::/48' END`
  );
}
