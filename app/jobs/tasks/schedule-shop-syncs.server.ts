import { z } from "zod";
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
      const { scheduled } = await fanOutShopJobs({
        task,
        firedAt,
        windowMs: windowMinutes() * MINUTE,
        addJobs: helpers.addJobs,
      });
      helpers.logger.info(`${name}: queued ${scheduled} ${task} job(s) from ${firedAt.toISOString()}`);
    },
  });
}

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
