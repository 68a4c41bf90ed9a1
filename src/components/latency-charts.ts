// The Performance page's two time charts: p50/p95/p99 over time, and requests by time and
// duration (a heatmap, as Observable's web-log example draws response times). Both on a log
// duration axis: response times span microseconds to seconds.
import * as Plot from "./plot.js";
import {bucketBoundsUs} from "./contracts.js";
import {fillTimeGaps} from "./fill-gaps.js";
import {formatCount, formatMs} from "./format.js";
import type {TimeBucket} from "./time-bucket.js";

export interface PercentileRow {
  time: Date;
  requests: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
}

const SERIES = [
  {key: "p50_ms", label: "p50", color: "#4e79a7"},
  {key: "p95_ms", label: "p95", color: "#f28e2b"},
  {key: "p99_ms", label: "p99", color: "#e15759"},
] as const;

interface TimeRange {
  width: number;
  bucket: TimeBucket;
  first: Date | null;
  last: Date | null;
}

/**
 * One line per percentile. A time bucket with no timed request has no percentile: the lines
 * break there rather than bridge it (no zero is invented).
 */
export function percentilesOverTime(rows: readonly PercentileRow[], {width, bucket, first, last}: TimeRange) {
  const long = rows.flatMap((row) => SERIES.map((s) => ({time: row.time, percentile: s.label, ms: row[s.key], requests: row.requests})));
  const filled = fillTimeGaps(long, {bucket, first, last, zero: {ms: null as unknown as number, requests: 0}, series: "percentile"});
  return Plot.plot({
    width,
    height: 260,
    marginLeft: 60,
    x: {type: "utc", label: null},
    y: {type: "log", grid: true, label: `Response time ${bucket.label} (ms, log scale)`, tickFormat: (ms: number) => formatMs(ms)},
    color: {domain: SERIES.map((s) => s.label), range: SERIES.map((s) => s.color), legend: true},
    marks: [
      Plot.lineY(filled, {x: "time", y: "ms", stroke: "percentile", curve: "step-after"}),
      Plot.dot(long, {
        x: "time", y: "ms", fill: "percentile", r: 1.5, tip: true,
        ariaLabel: (d) => `${d.time.toISOString()} ${d.percentile} ${formatMs(d.ms)} of ${formatCount(d.requests)} requests`,
      }),
    ],
  });
}

export interface HeatmapRow {
  time: Date;
  /** Duration band: `bandBuckets` duration buckets (data-loaders/contracts/duration-buckets.ts). */
  band: number;
  requests: number;
}

/** Requests per time bucket and duration band: the slow requests of an incident stand out as a cloud above the usual band. */
export function latencyHeatmap(rows: readonly HeatmapRow[], {width, bucket, bandBuckets}: TimeRange & {bandBuckets: number}) {
  const cells = rows.map((row) => {
    const lowMs = bucketBoundsUs(row.band * bandBuckets)[0] / 1000;
    const highMs = bucketBoundsUs(row.band * bandBuckets + bandBuckets - 1)[1] / 1000;
    return {...row, end: new Date(row.time.getTime() + bucket.milliseconds), lowMs, highMs};
  });
  return Plot.plot({
    width,
    height: 320,
    marginLeft: 60,
    x: {type: "utc", label: null},
    y: {type: "log", grid: true, label: "Response time (ms, log scale)", tickFormat: (ms: number) => formatMs(ms)},
    color: {type: "log", scheme: "turbo", legend: true, label: `Requests ${bucket.label} in the band`},
    marks: [
      Plot.rect(cells, {
        x1: "time", x2: "end", y1: "lowMs", y2: "highMs", fill: "requests", tip: true,
        ariaLabel: (d) => `${d.time.toISOString()} ${formatMs(d.lowMs)}–${formatMs(d.highMs)}: ${formatCount(d.requests)} requests`,
      }),
    ],
  });
}
