// The Overview's period comparison: the selected days against as many days just before them.
// With no day chosen, the selected period is the data's whole span (so the one before it is empty).
import {utcDay, type EventFilter} from "./event-filter.js";

export interface Period {
  /** First and last UTC day, inclusive. */
  from: Date;
  to: Date;
  days: number;
}

const DAY_MS = 86_400_000;
const dayOf = (date: Date) => new Date(Date.parse(utcDay(date)!));

/**
 * The period the filter selects (its days, or the data's first to last day where it leaves them
 * open) and the one of the same length that ends the day before it; null when there is no data.
 */
export function comparedPeriods(filter: Pick<EventFilter, "from" | "to">, range: {first: Date | null; last: Date | null}): {current: Period; previous: Period} | null {
  const from = filter.from ?? range.first;
  const to = filter.to ?? range.last;
  if (!from || !to) return null;
  const current = {from: dayOf(from), to: dayOf(to)};
  const days = Math.round((current.to.getTime() - current.from.getTime()) / DAY_MS) + 1;
  if (days < 1) return null;
  const previous = {from: new Date(current.from.getTime() - days * DAY_MS), to: new Date(current.from.getTime() - DAY_MS)};
  return {current: {...current, days}, previous: {...previous, days}};
}

/** The filter for one period: the reader's other choices, the period's days. */
export function filterFor(filter: EventFilter, period: Period): EventFilter {
  return {...filter, from: period.from, to: period.to};
}

/** The relative change from `before` to `now`: null when there was nothing before. */
export function change(now: number | null, before: number | null): number | null {
  if (now == null || before == null || before === 0) return null;
  return (now - before) / before;
}
