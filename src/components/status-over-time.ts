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
 */
export function statusOverTime(data: StatusCount[], {width, bucket, first, last}: {width: number; bucket: TimeBucket; first: Date | null; last: Date | null}) {
  const end = (d: StatusCount) => new Date(d.time.getTime() + bucket.milliseconds);
  const series = fillTimeGaps(data, {bucket, first, last, zero: {requests: 0}, series: "status_class"});
  return Plot.plot({
    width,
    height: 280,
    marginLeft: 50,
    x: {type: "utc", label: null},
    y: {grid: true, label: `Requests ${bucket.label}`},
    color: {...STATUS_CLASS_COLORS, legend: true},
    marks: [
      Plot.rectY(series, {x1: "time", x2: end, y: "requests", fill: "status_class", order: STATUS_CLASS_COLORS.domain, insetLeft: 0.5, insetRight: 0.5, tip: true}),
      Plot.ruleY([0]),
    ],
  });
}
