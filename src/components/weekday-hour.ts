// The weekday × hour heatmap's numbers. Summed over a range, a weekday that occurs five times
// looks 25% busier than one that occurs four times; each cell is therefore the requests in that
// hour of that weekday divided by how many times that hour of that weekday occurs in the range.

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Requests in one hour of one weekday (ISO: 1 is Monday), summed over the range. */
export interface WeekdayHourCount {
  weekday: number;
  hour: number;
  requests: number;
}

export interface WeekdayHourAverage extends WeekdayHourCount {
  /** How many times this hour of this weekday occurs in the range. */
  occurrences: number;
  /** requests / occurrences. */
  average: number;
}

/**
 * How many times each hour of each weekday occurs in the range: `counts[weekday - 1][hour]`.
 * The range is the data's span (`first` to `last` request, any filter aside) clipped to the
 * filter's days, so the hours of a day with no requests at all still count.
 */
export function hourSlotsByWeekday(span: {first: Date | null; last: Date | null}, days: {from: Date | null; to: Date | null}): number[][] {
  const counts = WEEKDAYS.map(() => new Array<number>(24).fill(0));
  if (span.first === null || span.last === null) return counts;
  // The filter's days are UTC midnights; `to` includes its whole day.
  const start = Math.max(span.first.getTime(), days.from?.getTime() ?? -Infinity);
  const end = Math.min(span.last.getTime(), days.to === null ? Infinity : days.to.getTime() + DAY - 1);
  for (let hour = Math.floor(start / HOUR) * HOUR; hour <= end; hour += HOUR) {
    const date = new Date(hour);
    counts[(date.getUTCDay() + 6) % 7][date.getUTCHours()]++;
  }
  return counts;
}

/** Each cell with its occurrences and its average per occurrence. */
export function perOccurrence(cells: readonly WeekdayHourCount[], occurrences: number[][]): WeekdayHourAverage[] {
  return cells.map((cell) => {
    // A cell with requests occurs at least once; the guard only keeps a bad range from dividing by zero.
    const times = Math.max(1, occurrences[cell.weekday - 1][cell.hour]);
    return {...cell, occurrences: times, average: cell.requests / times};
  });
}
