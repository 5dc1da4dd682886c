import { z } from "zod";
import type { shopJobPayload } from "./shop-jobs";
import type { FanOutTask } from "./sync-kinds";
import type { ShopSyncTask, TASK } from "./task-names";

// What a job carries, by task: the types enqueue checks a payload against, without this layer importing a domain.
// The queue's own payloads are here (the cron tasks', the per-shop syncs'); a domain that owns a task's payload
// declares its schema beside its code and files it under the task's name by declaration merging:
//
//   declare module "~/jobs/task-payloads" {
//     interface TaskPayloadSchemas { [TASK.alertsDispatch]: typeof alertDispatchPayload }
//   }
//
// (app/alerts/enqueue-dispatch.server.ts, app/sync/product-job-payloads.server.ts,
// app/inventory/inventory-webhook-payload.server.ts, app/webhooks/pending-deliveries.server.ts).
// The worker's task list (app/worker/task-list.server.ts) checks that every task has one here and that its definition
// validates with that same schema, so a payload without an entry, or one the task does not read, does not build.

/**
 * The payload of a cron task: graphile-worker's cron adds `_cron: { ts, backfilled }`; a run queued by hand may omit
 * it (then: now). Anything else is not expected but tolerated (old jobs).
 */
export const cronPayload = z
  .object({
    _cron: z.object({ ts: z.string().datetime({ offset: true }), backfilled: z.boolean().optional() }).optional(),
  })
  .passthrough();

/** The attempt defineTask carries in a payload it queues again (its `_retry`): the number and the last error. */
export const retryMeta = z.object({ attempt: z.number().int().min(1), lastError: z.string().optional() });
export type RetryMeta = z.infer<typeof retryMeta>;

/** A cron line of a task: graphile-worker's crontab is derived from these (app/worker/schedules.server.ts). Times are UTC. */
export interface TaskSchedule {
  /** Must never change: it is how graphile-worker remembers the last run, to backfill missed ones. */
  identifier: string;
  /** The crontab pattern, e.g. "0 3 * * *". */
  match: string;
  /** How far back runs missed while no worker was up are caught up (ms; 0: never). */
  backfillPeriod: number;
}

/**
 * Each task's payload schema, by name (domains add theirs, see above). A sync kind's task and its fan-out follow from
 * its names (SHOP_SYNC_TASKS, its row's fanOutTask): a shop's job, a cron firing.
 */
export interface TaskPayloadSchemas
  extends Record<ShopSyncTask, typeof shopJobPayload>, Record<FanOutTask, typeof cronPayload> {
  [TASK.purgeUninstalledShops]: typeof cronPayload;
  [TASK.alertsStalenessWatch]: typeof cronPayload;
  [TASK.alertsDispatchSweep]: typeof cronPayload;
  [TASK.analyticsPruneSyncEvents]: typeof cronPayload;
  [TASK.webhooksPruneDeliveries]: typeof cronPayload;
  [TASK.webhookDeliveriesSweep]: typeof cronPayload;
}
