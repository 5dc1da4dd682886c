import { parseCronItems } from "graphile-worker";
import { pgPool } from "~/db.server";
import { crontab } from "./schedules.server";
import { cronInWords, durationInWords } from "~/jobs/schedule-words";

// The jobs page's schedules, read from the one crontab (schedules.server.ts): each in words, when graphile-worker last
// fired it (its `_private_known_crontabs`, the same row it backfills from), when it fires next, and how far back it
// catches up on runs missed while no worker was up.

export interface ScheduleView {
  identifier: string;
  task: string;
  cron: string;
  words: string;
  backfill: string;
  lastFiredAt: Date | null;
  nextFireAt: Date | null;
}

const MINUTE = 60_000;
// The sparsest schedule is weekly: the next fire time is always within 8 days.
const SEARCH_MINUTES = 8 * 24 * 60;

/** The first whole UTC minute after `now` that the crontab line matches (graphile-worker's own matcher). */
export function nextFireTime(
  match: (digest: { min: number; hour: number; date: number; month: number; dow: number }) => boolean,
  now: Date,
): Date | null {
  let t = Math.floor(now.getTime() / MINUTE) * MINUTE + MINUTE;
  for (let i = 0; i < SEARCH_MINUTES; i++, t += MINUTE) {
    const d = new Date(t);
    if (
      match({
        min: d.getUTCMinutes(),
        hour: d.getUTCHours(),
        date: d.getUTCDate(),
        month: d.getUTCMonth() + 1,
        dow: d.getUTCDay(),
      })
    )
      return d;
  }
  return null;
}

export async function listSchedules(now = new Date()): Promise<ScheduleView[]> {
  const schedules = crontab();
  const parsed = parseCronItems(schedules);
  const { rows } = await pgPool()
    .query<{ identifier: string; last_execution: Date | null }>(
      "SELECT identifier, last_execution FROM graphile_worker._private_known_crontabs",
    )
    .catch(() => ({ rows: [] })); // graphile-worker not migrated yet: nothing has fired
  const last = new Map(rows.map((row) => [row.identifier, row.last_execution]));
  return schedules.map((schedule, index) => ({
    identifier: schedule.identifier,
    task: schedule.task,
    cron: schedule.match,
    words: cronInWords(schedule.match),
    backfill: durationInWords(schedule.options.backfillPeriod),
    lastFiredAt: last.get(schedule.identifier) ?? null,
    nextFireAt: nextFireTime(parsed[index].match, now),
  }));
}
