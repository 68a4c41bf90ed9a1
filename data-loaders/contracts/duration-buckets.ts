// Response times counted in log-spaced buckets, so percentiles come from rollups with a known
// bound (the DDSketch method, Masson et al., VLDB 2019): bucket i holds the durations in
// (γ^(i-1), γ^i] microseconds, γ = (1 + α) / (1 − α), and stands for 2γ^i / (γ + 1), which is
// within α of every duration in it. A percentile read from bucket counts is the bucket holding
// the request of that rank, so it is within α (2%) of the exact percentile of the logged
// durations. The rollups (site-data.ts) count by durationBucketSql; the Performance
// page (src/queries/performance.ts) turns buckets back into durations with bucketValueSql.

/** The relative error of a duration read from its bucket: 2%. */
export const DURATION_RELATIVE_ERROR = 0.02;
export const DURATION_GAMMA = (1 + DURATION_RELATIVE_ERROR) / (1 - DURATION_RELATIVE_ERROR);
const LN_GAMMA = Math.log(DURATION_GAMMA);

/**
 * The bucket of a duration in microseconds, in SQL. Durations under 1 µs (a %D of 0) share
 * bucket 0 with 1 µs: a bound of 1 µs rather than 2% for them.
 */
export function durationBucketSql(durationUs = "duration_us"): string {
  return `CAST(ceil(ln(greatest(${durationUs}, 1)) / ${LN_GAMMA}) AS INTEGER)`;
}

/** The duration, in microseconds, a bucket stands for, in SQL. */
export function bucketValueSql(bucket = "duration_bucket"): string {
  return `(2 * exp(${bucket} * ${LN_GAMMA}) / ${DURATION_GAMMA + 1})`;
}

/** The same, in JavaScript: for the heatmap's axis. */
export function bucketValueUs(bucket: number): number {
  return (2 * Math.exp(bucket * LN_GAMMA)) / (DURATION_GAMMA + 1);
}

/** The bounds of a bucket, in microseconds: (lower, upper]. */
export function bucketBoundsUs(bucket: number): [number, number] {
  return [Math.exp((bucket - 1) * LN_GAMMA), Math.exp(bucket * LN_GAMMA)];
}
