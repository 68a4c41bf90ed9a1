// A ranked list drawn as bars with the label and count written on them: top paths, countries,
// agents. Labels are log content, so they go into SVG text nodes, never into HTML.
import * as Plot from "./plot.js";

export interface RankedBarsOptions {
  width: number;
  /** Field holding the label. */
  y: string;
  /** Field holding the count. */
  x: string;
  label?: string;
  fill?: string;
  /** Labels longer than this are cut with an ellipsis (the full text stays in the tooltip). */
  maxLabelLength?: number;
}

export function rankedBars(data: Record<string, unknown>[], {width, x, y, label, fill = "var(--theme-foreground-focus)", maxLabelLength = 60}: RankedBarsOptions) {
  const cut = (d: Record<string, unknown>) => {
    const text = String(d[y] ?? "–");
    return text.length > maxLabelLength ? text.slice(0, maxLabelLength - 1) + "…" : text;
  };
  return Plot.plot({
    width,
    height: 26 * data.length + 30,
    marginLeft: 8,
    marginRight: 8,
    x: {axis: "top", grid: true, label: label ?? null, insetRight: 70},
    y: {axis: null, domain: data.map((d) => d[y] as string)},
    marks: [
      Plot.barX(data, {x, y, fill, fillOpacity: 0.25}),
      Plot.text(data, {x: 0, y, text: cut, textAnchor: "start", dx: 6, title: (d: Record<string, unknown>) => String(d[y] ?? "–")}),
      // Counts on the right edge, clear of long labels on short bars.
      Plot.text(data, {y, text: (d: Record<string, unknown>) => (d[x] as number).toLocaleString("en-US"), frameAnchor: "right", textAnchor: "end", dx: -2}),
      Plot.ruleX([0]),
    ],
  });
}
