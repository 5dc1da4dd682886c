import { notifyAdmins } from "~/alerts/notify-admins.server";
import { resolveIncidents } from "~/alerts/resolve.server";
import { env } from "~/env.server";
import { defineTask } from "../define-task.server";
import { cronPayload, type TaskSchedule } from "~/jobs/task-payloads";
import { fanOutShopJobs } from "../fan-out.server";
import { FAN_OUT_RETRY_POLICY } from "~/jobs/retry-policy";
import { SYNC_KINDS, type SyncKind } from "~/jobs/sync-kinds";
import { TASK, type ShopSyncTask, type TaskName } from "~/jobs/task-names";

// The cron fan-outs, one per sync kind (app/jobs/sync-kinds.ts: its task, schedule and spread window).

const MINUTE = 60_000;

function fanOutTask<Name extends TaskName>(
  name: Name,
  task: ShopSyncTask,
  windowMinutes: () => number,
  schedule: TaskSchedule,
) {
  return defineTask({
    name,
    payload: cronPayload,
    retry: FAN_OUT_RETRY_POLICY,
    schedule,
    async run(payload, { helpers }) {
      const firedAt = payload._cron ? new Date(payload._cron.ts) : new Date();
      const { scheduled, stillWaiting } = await fanOutShopJobs({
        task,
        firedAt,
        // Compressed with the crontab (SCHEDULE_TIME_SCALE, app/worker/schedules.server.ts `crontab`), so the spread
        // stays within the compressed period.
        windowMs: (windowMinutes() * MINUTE) / env().SCHEDULE_TIME_SCALE,
      });
      helpers.logger.info(`${name}: queued ${scheduled} ${task} job(s) from ${firedAt.toISOString()}`);
      await reportScheduleOverflow(task, stillWaiting, scheduled, windowMinutes());
      if (stillWaiting > 0)
        helpers.logger.warn(`${name}: ${stillWaiting} ${task} job(s) of the previous run had not started`);
    },
  });
}

// One incident per kind: open while a firing finds the previous one's jobs not started, resolved by the first that
// finds none. The fix is more worker processes (README, Scaling) or a longer window.
async function reportScheduleOverflow(task: ShopSyncTask, stillWaiting: number, shops: number, windowMinutes: number) {
  if (stillWaiting === 0) {
    await resolveIncidents([{ type: SCHEDULE_OVERFLOW, shop: null, jobType: task }]);
    return;
  }
  await notifyAdmins({
    type: SCHEDULE_OVERFLOW,
    severity: "WARNING",
    jobType: task,
    title: `${stillWaiting} of ${shops} ${task} jobs from the previous run had not started when the next run was due: the ${windowMinutes}-minute window or the workers are too small for the fleet`,
    data: { stillWaiting, shops, windowMinutes },
  });
}

export const SCHEDULE_OVERFLOW = "SCHEDULE_OVERFLOW";

function fanOutOf<Kind extends SyncKind>(kind: Kind) {
  return fanOutTask(kind.fanOutTask as Kind["fanOutTask"], kind.task, () => env()[kind.spreadVariable], kind.schedule);
}

export const scheduleProductSyncs = fanOutOf(SYNC_KINDS[TASK.productSync]);
export const scheduleInventorySyncs = fanOutOf(SYNC_KINDS[TASK.inventorySync]);
export const scheduleInventoryReconciliations = fanOutOf(SYNC_KINDS[TASK.inventoryReconcile]);
export const scheduleIntegrityChecks = fanOutOf(SYNC_KINDS[TASK.integrityCheck]);
export const scheduleVerifications = fanOutOf(SYNC_KINDS[TASK.verification]);
