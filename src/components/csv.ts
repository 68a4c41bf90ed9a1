// Query results as CSV for spreadsheets. Log content is attacker-controlled: a cell beginning
// with =, +, -, @, tab or carriage return is run as a formula by Excel and LibreOffice, so such
// cells get a leading apostrophe (OWASP's advice). Quoting follows RFC 4180.

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  // Numbers are data, not formulas: -5 stays -5.
  if (typeof value !== "number" && typeof value !== "bigint" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[] = rows.length ? Object.keys(rows[0]) : []): string {
  const lines = [columns.map(csvCell).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(","));
  return lines.join("\r\n") + "\r\n";
}
