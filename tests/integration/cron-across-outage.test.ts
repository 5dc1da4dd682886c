import { startRestartablePostgres } from "../support/restartable-postgres";
import { afterAll, describe, expect, it, vi } from "vitest";
import { SCHEDULES } from "../../app/worker/schedules.server";
import { TASK } from "../../app/jobs/task-names";
import { startWorker, stopWorker } from "../../app/worker/worker.server";
import { knownCrontabs, queuedJobs } from "../support/jobs";

// A cron tick that falls while PostgreSQL is down (its server stopped across the tick, then started again on the same
// data and port). graphile-worker's cron cannot queue the tick's jobs then; it restarts once the database answers and
// backfills what it missed, per crontab line (node_modules/graphile-worker/dist/cron.js): the hourly inventory fan-out
// (backfillPeriod 1 hour) must be queued for that tick exactly once, and the alert sweeps (backfillPeriod 0) must
// skip it. The clock is injected (only Date is faked; it advances on its own): the tick is the top of an hour a
// little ahead of it, chosen relative to the real time so that the queued jobs' run_at lies ahead of the database's
// clock and they stay in the queue to be counted. This file starts a PostgreSQL of its own, like
// database-restart.test.ts, so the outage does not cut the other test files.

const HOUR = 3_600_000;
const database = await startRestartablePostgres("cron-outage");
process.env.DATABASE_URL = database.url; // before the app's pools are made (they read it on first use)

afterAll(async () => {
  vi.useRealTimers();
  await stopWorker();
  await database.remove();
});

const lineOf = (task: string) => SCHEDULES.find((line) => line.task === task)!;

describe("a cron tick during a database outage", () => {
  it("is backfilled once for the hourly fan-out after the database is back, and skipped by the sweeps", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const fanOut = lineOf(TASK.scheduleInventorySyncs);
    const sweeps = [lineOf(TASK.alertsDispatchSweep), lineOf(TASK.alertsStalenessWatch)];
    // What this test relies on, from the crontab itself: the tick matches all three; only the fan-out backfills.
    expect([fanOut, ...sweeps].map((line) => [line.match.split(" ")[0], line.options.backfillPeriod > 0])).toEqual([
      ["0", true],
      ["*/5", false],
      ["*/15", false],
    ]);

    const tick = new Date(Math.ceil((Date.now() + 10 * 60_000) / HOUR) * HOUR); // the database's clock is behind it
    // The worker starts a few seconds before the tick; the database is stopped before it comes.
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true, now: tick.getTime() - 15_000 });
    const state = await startWorker({ concurrency: 1, pollInterval: 200, sweepIntervalMs: 500, stallAfterMs: 2_000 });
    // What the cron does, in order: "cron:schedule" when a tick's jobs are about to be queued, "cron:scheduled" once
    // they are, "cron:starting" when it (re)starts, which it does after an error.
    const cronEvents: string[] = [];
    state.events.on("cron:schedule", ({ timestamp }) =>
      cronEvents.push(`schedule ${new Date(timestamp).toISOString()}`),
    );
    state.events.on("cron:scheduled", ({ timestamp }) =>
      cronEvents.push(`scheduled ${new Date(timestamp).toISOString()}`),
    );
    state.events.on("cron:starting", () => cronEvents.push("starting"));
    // The crontab is registered (graphile-worker knows its lines from now on, so it backfills them later).
    await expect.poll(async () => (await knownCrontabs()).length).toBe(SCHEDULES.length);

    await database.stop();
    // The tick comes during the outage: the cron tries to queue its jobs, fails, and starts again (and again, until
    // the database answers). Waited for by those events, not by the clock.
    expect(cronEvents).toEqual([]);
    const tickTried = `schedule ${tick.toISOString()}`;
    await vi.waitUntil(() => cronEvents.indexOf("starting", cronEvents.indexOf(tickTried) + 1) > 0, {
      timeout: 60_000,
      interval: 50,
    });
    await database.start();

    // The cron restarts once the database answers and backfills the fan-out's tick; nothing else is owed (the next
    // regular tick is a minute after the restart, beyond this test).
    const jobsAtTick = async () =>
      (await queuedJobs())
        .filter((job) => (job.payload._cron as { ts?: string } | undefined)?.ts === tick.toISOString())
        .map((job) => [job.task_identifier, (job.payload._cron as { backfilled?: boolean }).backfilled]);
    await expect
      .poll(jobsAtTick, { timeout: 60_000, interval: 200 })
      .toContainEqual([TASK.scheduleInventorySyncs, true]);
    const atTick = await jobsAtTick();
    expect(atTick.filter(([task]) => task === TASK.scheduleInventorySyncs)).toEqual([
      [TASK.scheduleInventorySyncs, true],
    ]);
    expect(atTick.filter(([task]) => sweeps.some((line) => line.task === task))).toEqual([]);
    expect(cronEvents).not.toContain(`scheduled ${tick.toISOString()}`); // the failed try queued nothing
    const known = (await knownCrontabs()).filter((k) =>
      [fanOut, ...sweeps].some((line) => line.identifier === k.identifier),
    );
    expect(Object.fromEntries(known.map((k) => [k.identifier, k.last_execution?.toISOString() ?? null]))).toEqual({
      [fanOut.identifier]: tick.toISOString(),
      ...Object.fromEntries(sweeps.map((line) => [line.identifier, null])),
    });
    vi.restoreAllMocks();
  }, 120_000);
});
