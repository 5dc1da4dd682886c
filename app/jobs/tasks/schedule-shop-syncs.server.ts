import { notifyAdmins } from "~/alerts/notify-admins.server";
import { resolveIncidents } from "~/alerts/resolve.server";
import { env } from "~/env.server";
import { cronPayload, defineTask, type TaskSchedule } from "../define-task.server";
import { fanOutShopJobs } from "../fan-out.server";
import { FAN_OUT_RETRY_POLICY } from "../retry-policy";
import { TASK, type ShopSyncTask, type TaskName } from "../task-names";

// The cron fan-outs: same shape, different per-shop task and spread window.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function fanOutTask<Name extends TaskName>(name: Name, task: ShopSyncTask, windowMinutes: () => number, schedule: TaskSchedule) {
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
        windowMs: windowMinutes() * MINUTE,
      });
      helpers.logger.info(`${name}: queued ${scheduled} ${task} job(s) from ${firedAt.toISOString()}`);
      await reportScheduleOverflow(task, stillWaiting, scheduled, windowMinutes());
      if (stillWaiting > 0) helpers.logger.warn(`${name}: ${stillWaiting} ${task} job(s) of the previous run had not started`);
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

export const scheduleProductSyncs = fanOutTask(
  TASK.scheduleProductSyncs,
  TASK.productSync,
  () => env().PRODUCT_SYNC_SPREAD_MINUTES,
  { identifier: "product-sync-fan-out", match: "0 3 * * *", backfillPeriod: 12 * HOUR }, // daily at 03:00 UTC
);
export const scheduleInventorySyncs = fanOutTask(
  TASK.scheduleInventorySyncs,
  TASK.inventorySync,
  () => env().INVENTORY_SYNC_SPREAD_MINUTES,
  { identifier: "inventory-sync-fan-out", match: "0 * * * *", backfillPeriod: 1 * HOUR }, // hourly, on the hour
);
export const scheduleInventoryReconciliations = fanOutTask(
  TASK.scheduleInventoryReconciliations,
  TASK.inventoryReconcile,
  () => env().INVENTORY_RECONCILIATION_SPREAD_MINUTES,
  // A full read of every shop's levels: what the hourly filter and the webhooks missed. Daily at 01:30 UTC, clear of
  // the product syncs (03:00) and the hourly runs' spread.
  { identifier: "inventory-reconciliation-fan-out", match: "30 1 * * *", backfillPeriod: 12 * HOUR },
);
export const scheduleIntegrityChecks = fanOutTask(
  TASK.scheduleIntegrityChecks,
  TASK.integrityCheck,
  () => env().INTEGRITY_CHECK_SPREAD_MINUTES,
  { identifier: "integrity-check-fan-out", match: "0 2 * * 0", backfillPeriod: 48 * HOUR }, // Sundays at 02:00 UTC
);
