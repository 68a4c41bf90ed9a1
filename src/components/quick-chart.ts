// A first look at any query result: a line for time + number, bars for text + number, or nothing.
import * as Plot from "@observablehq/plot";
import {rankedBars} from "./ranked-bars.js";

export function quickChart(rows: Record<string, unknown>[], width: number): SVGSVGElement | HTMLElement {
  if (rows.length === 0) return noChart();
  const columns = Object.keys(rows[0]);
  const sample = rows.find((r) => columns.every((c) => r[c] !== null)) ?? rows[0];
  const time = columns.find((c) => sample[c] instanceof Date);
  const number = columns.find((c) => typeof sample[c] === "number" && c !== time);
  const label = columns.find((c) => typeof sample[c] === "string");
  if (time && number) {
    return Plot.plot({width, height: 260, marginLeft: 60, x: {type: "utc", label: null}, y: {grid: true, label: number}, marks: [Plot.lineY(rows, {x: time, y: number, tip: true}), Plot.ruleY([0])]});
  }
  if (label && number) return rankedBars(rows.slice(0, 30), {width, y: label, x: number, label: number});
  return noChart();
}

function noChart(): HTMLElement {
  const p = document.createElement("p");
  p.textContent = "No chart for this result: it needs a time or text column and a number column.";
  return p;
}
