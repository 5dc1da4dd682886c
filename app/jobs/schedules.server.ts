import { QUEUED_MAX_ATTEMPTS } from "./queue.server";
import { TASK_DEFINITIONS } from "./task-list.server";
import type { TaskName } from "./task-names";

// The crontab, derived from the tasks' definitions (their `schedule`: app/jobs/tasks/*). Times are UTC
// (graphile-worker's cron always is). An `identifier` must never change: it is how graphile-worker remembers the
// last run, to backfill runs missed while no worker was up (`backfillPeriod`).

/** A crontab line as graphile-worker takes it (a CronItem), with every field the jobs page shows present. */
export interface ScheduleLine {
  identifier: string;
  task: TaskName;
  match: string;
  options: { backfillPeriod: number; maxAttempts: number };
}

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
