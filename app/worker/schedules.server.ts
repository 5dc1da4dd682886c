import { env } from "~/env.server";
import { QUEUED_MAX_ATTEMPTS } from "~/jobs/queue.server";
import { TASK_DEFINITIONS } from "./task-list.server";
import type { TaskName } from "~/jobs/task-names";

// The crontab, derived from the tasks' definitions (their `schedule`: app/worker/tasks/*). Times are UTC
// (graphile-worker's cron always is). An `identifier` must never change: it is how graphile-worker remembers the
// last run, to backfill runs missed while no worker was up (`backfillPeriod`).

/** A crontab line as graphile-worker takes it (a CronItem), with every field the jobs page shows present. */
export interface ScheduleLine {
  identifier: string;
  task: TaskName;
  match: string;
  options: { backfillPeriod: number; maxAttempts: number };
}

/** The crontab as the tasks define it (production time). */
export const SCHEDULES: ScheduleLine[] = TASK_DEFINITIONS.flatMap(({ name, schedule }): ScheduleLine[] =>
  schedule
    ? [
        {
          identifier: schedule.identifier,
          task: name,
          match: schedule.match,
          options: { backfillPeriod: schedule.backfillPeriod, maxAttempts: QUEUED_MAX_ATTEMPTS },
        },
      ]
    : [],
);

const MINUTES_PER_HOUR = 60;
const MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR;

/**
 * How often a crontab line of ours fires, in minutes: every minute (`* * * * *`), every N minutes (`*\/N * * * *`),
 * hourly (`M * * * *`), daily (`M H * * *`) or weekly (`M H * * D`). Those are the only shapes the tasks use; another
 * one is refused rather than compressed wrongly.
 */
export function cronPeriodMinutes(match: string): number {
  const [minute, hour, dayOfMonth, month, dayOfWeek, ...rest] = match.trim().split(/\s+/);
  const fixed = (field: string | undefined) => field !== undefined && /^\d+$/.test(field);
  if (rest.length > 0 || dayOfMonth !== "*" || month !== "*")
    throw new Error(`Cannot compress the crontab line "${match}"`);
  if (minute === "*" && hour === "*" && dayOfWeek === "*") return 1;
  const every = /^\*\/(\d+)$/.exec(minute ?? "");
  if (every && hour === "*" && dayOfWeek === "*") return Number(every[1]);
  if (fixed(minute) && hour === "*" && dayOfWeek === "*") return MINUTES_PER_HOUR;
  if (fixed(minute) && fixed(hour) && dayOfWeek === "*") return MINUTES_PER_DAY;
  if (fixed(minute) && fixed(hour) && fixed(dayOfWeek)) return 7 * MINUTES_PER_DAY;
  throw new Error(`Cannot compress the crontab line "${match}"`);
}

/**
 * A line firing `scale` times as often: every max(1, period / scale) minutes, the finest graphile-worker's cron
 * can fire (whole minutes). Below an hour it is `*\/N` (a period that does not divide the hour is cut short at each
 * hour, as cron does); from an hour up, every N hours on the hour. Scale 1 is the line itself.
 */
export function compressCronMatch(match: string, scale: number): string {
  if (scale === 1) return match;
  const period = Math.max(1, Math.round(cronPeriodMinutes(match) / scale));
  if (period === 1) return "* * * * *";
  if (period < MINUTES_PER_HOUR) return `*/${period} * * * *`;
  return `0 */${Math.min(23, Math.round(period / MINUTES_PER_HOUR))} * * *`;
}

/** SCHEDULE_TIME_SCALE: 1 in production; a soak or a demo compresses time by this factor (app/env.server.ts). */
export function scheduleTimeScale(): number {
  return env().SCHEDULE_TIME_SCALE;
}

/**
 * The crontab the worker runs and the jobs page shows: SCHEDULES with time compressed by `scale`. Backfill periods
 * shrink with it (a missed run is caught up for the same share of its period); the fan-outs' spread windows too
 * (app/worker/tasks/schedule-shop-syncs.server.ts), so a compressed run still ends before the next one is due.
 */
export function crontab(scale = scheduleTimeScale()): ScheduleLine[] {
  if (scale === 1) return SCHEDULES;
  return SCHEDULES.map((line) => ({
    ...line,
    match: compressCronMatch(line.match, scale),
    options: { ...line.options, backfillPeriod: Math.round(line.options.backfillPeriod / scale) },
  }));
}
