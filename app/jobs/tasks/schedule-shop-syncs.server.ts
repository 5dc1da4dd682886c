import { z } from "zod";
import { notifyAdmins } from "~/alerts/notify-admins.server";
import { resolveIncidents } from "~/alerts/resolve.server";
import { env } from "~/env.server";
import { defineTask } from "../define-task.server";
import { fanOutShopJobs } from "../fan-out.server";
import { TASK, type ShopSyncTask } from "../task-names";

// The cron fan-outs: same shape, different per-shop task and spread window.

// graphile-worker's cron adds `_cron: { ts, backfilled }`; a fan-out queued by hand may omit it (then: now).
const cronPayload = z.object({
  _cron: z.object({ ts: z.string().datetime({ offset: true }), backfilled: z.boolean().optional() }).optional(),
});

const MINUTE = 60_000;

function fanOutTask(
  name: (typeof TASK)[keyof typeof TASK],
  task: ShopSyncTask,
  windowMinutes: () => number,
) {
  return defineTask({
    name,
    payload: cronPayload,
    async run(payload, { helpers }) {
      const firedAt = payload._cron ? new Date(payload._cron.ts) : new Date();
      const { scheduled, stillWaiting } = await fanOutShopJobs({
        task,
        firedAt,
        windowMs: windowMinutes() * MINUTE,
        addJobs: helpers.addJobs,
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
);
export const scheduleInventorySyncs = fanOutTask(
  TASK.scheduleInventorySyncs,
  TASK.inventorySync,
  () => env().INVENTORY_SYNC_SPREAD_MINUTES,
);
export const scheduleInventoryReconciliations = fanOutTask(
  TASK.scheduleInventoryReconciliations,
  TASK.inventoryReconcile,
  () => env().INVENTORY_RECONCILIATION_SPREAD_MINUTES,
);
export const scheduleIntegrityChecks = fanOutTask(
  TASK.scheduleIntegrityChecks,
  TASK.integrityCheck,
  () => env().INTEGRITY_CHECK_SPREAD_MINUTES,
);
