const DAY_MS = 86_400_000;

/** Every UTC day that [from, to) touches, so a chart has a point (possibly zero) for each. */
export function utcDaysOf(from: Date, to: Date): string[] {
  const days: string[] = [];
  if (to.getTime() <= from.getTime()) return days;
  const first = Math.floor(from.getTime() / DAY_MS) * DAY_MS;
  for (let day = first; day < to.getTime(); day += DAY_MS) days.push(new Date(day).toISOString().slice(0, 10));
  return days;
}
