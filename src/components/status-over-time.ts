// Requests over time, stacked by status class (2xx, 3xx, 4xx, 5xx), the first chart an
// operator looks at: volume, and how much of it is failing.
import * as Plot from "./plot.js";
import {fillTimeGaps} from "./fill-gaps.js";
import type {TimeBucket} from "./time-bucket.js";

export interface StatusCount {
  /** Start of the time bucket. */
  time: Date;
  status_class: string;
  requests: number;
}

/** Conventional colours: success green, redirects blue, client errors orange, server errors red. */
export const STATUS_CLASS_COLORS = {
  domain: ["1xx", "2xx", "3xx", "4xx", "5xx", "unknown"],
  range: ["#9e9e9e", "#59a14f", "#4e79a7", "#f28e2b", "#e15759", "#bab0ac"],
};

/**
 * `first` and `last` are the range the chart covers (the filtered data's first and last request):
 * every bucket in it is drawn, a bucket with no requests as zero.
 *
 * Each class is one stepped area, flat across each bucket, rather than a bar per bucket and class:
 * the same shapes, but a handful of paths where bars were one element per bucket and class (720
 * over 30 days in 6-hour buckets), which the page drew again on every filter change.
 */
export function statusOverTime(data: StatusCount[], {width, bucket, first, last}: {width: number; bucket: TimeBucket; first: Date | null; last: Date | null}) {
  const series = fillTimeGaps(data, {bucket, first, last, zero: {requests: 0}, series: "status_class"});
  const stacked = {x: "time", y: "requests", fill: "status_class", order: STATUS_CLASS_COLORS.domain} as const;
  return Plot.plot({
    width,
    height: 280,
    marginLeft: 50,
    x: {type: "utc", label: null},
    y: {grid: true, label: `Requests ${bucket.label}`},
    color: {...STATUS_CLASS_COLORS, legend: true},
    marks: [
      Plot.areaY(withClosingEdge(series, bucket), {...stacked, curve: "step-after"}),
      // Tips from the buckets themselves, not the closing edge.
      Plot.tip(series, Plot.pointerX(Plot.stackY(stacked))),
      Plot.ruleY([0]),
    ],
  });
}

/**
 * A stepped area holds each value until the next point, so the last bucket would have no width:
 * each class's last bucket again at the bucket's end closes it.
 */
function withClosingEdge(series: StatusCount[], bucket: TimeBucket): StatusCount[] {
  if (series.length === 0) return series;
  const lastStart = series[series.length - 1].time.getTime();
  const end = new Date(lastStart + bucket.milliseconds);
  const closing = series.filter((row) => row.time.getTime() === lastStart).map((row) => ({...row, time: end}));
  return [...series, ...closing];
}
