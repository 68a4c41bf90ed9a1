// A first look at any query result: a line for time + number (one per value of a text column
// with few values), bars for text + number, or nothing.
import * as Plot from "./plot.js";
import {rankedBars} from "./ranked-bars.js";

const MAX_SERIES = 10;

export function quickChart(rows: Record<string, unknown>[], width: number): SVGSVGElement | HTMLElement {
  if (rows.length === 0) return noChart();
  const columns = Object.keys(rows[0]);
  const sample = rows.find((r) => columns.every((c) => r[c] !== null)) ?? rows[0];
  const time = columns.find((c) => sample[c] instanceof Date);
  const number = columns.find((c) => typeof sample[c] === "number" && c !== time);
  const label = columns.find((c) => typeof sample[c] === "string");
  if (time && number) {
    // A text column with a few values (an instance, a status class) is one line each, not one
    // line zigzagging between them.
    const series = label !== undefined && new Set(rows.map((r) => r[label])).size <= MAX_SERIES ? label : undefined;
    return Plot.plot({
      width,
      height: 260,
      marginLeft: 60,
      x: {type: "utc", label: null},
      y: {grid: true, label: number},
      color: series ? {legend: true} : undefined,
      marks: [Plot.lineY(rows, {x: time, y: number, stroke: series, tip: true}), Plot.ruleY([0])],
    });
  }
  if (label && number) return rankedBars(rows.slice(0, 30), {width, y: label, x: number, label: number});
  return noChart();
}

function noChart(): HTMLElement {
  const p = document.createElement("p");
  p.textContent = "No chart for this result: it needs a time or text column and a number column.";
  return p;
}
