// Number formats shared by the pages, so the same quantity reads the same everywhere.

const count = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", {notation: "compact", maximumFractionDigits: 1});
const percent = new Intl.NumberFormat("en-US", {style: "percent", maximumFractionDigits: 1});

export function formatCount(value: number | null | undefined): string {
  return value == null ? "–" : count.format(value);
}

export function formatCompact(value: number | null | undefined): string {
  return value == null ? "–" : compact.format(value);
}

export function formatPercent(value: number | null | undefined): string {
  return value == null || Number.isNaN(value) ? "–" : percent.format(value);
}

const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];

/** Decimal units (1 kB = 1000 B), as web-server tools report them. */
export function formatBytes(value: number | null | undefined): string {
  if (value == null) return "–";
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) (value /= 1000), unit++;
  return `${value.toFixed(unit === 0 || value >= 100 ? 0 : 1)} ${BYTE_UNITS[unit]}`;
}

/** UTC date and time to the minute, the way the access log's times are stored. */
export function formatUtc(date: Date | null | undefined): string {
  return date == null ? "–" : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

const threeDigits = new Intl.NumberFormat("en-US", {maximumSignificantDigits: 3});

/** A duration given in milliseconds, to three significant digits: "0.42 ms", "23.4 ms", "648 ms", "3.92 s". */
export function formatMs(ms: number | null | undefined): string {
  if (ms == null || Number.isNaN(ms)) return "–";
  return ms >= 1000 ? `${threeDigits.format(ms / 1000)} s` : `${threeDigits.format(ms)} ms`;
}
