import { z } from "zod";
import type { shopJobPayload } from "./shop-jobs";
import type { TASK } from "./task-names";

// What a job carries, by task: the types enqueue checks a payload against, without this layer importing a domain.
// The queue's own payloads are here (the cron tasks', the per-shop syncs'); a domain that owns a task's payload
// declares its schema beside its code and files it under the task's name by declaration merging:
//
//   declare module "~/jobs/task-payloads" {
//     interface TaskPayloadSchemas { [TASK.alertsDispatch]: typeof alertDispatchPayload }
//   }
//
// (app/alerts/enqueue-dispatch.server.ts, app/sync/product-job-payloads.server.ts,
// app/inventory/inventory-webhook-payload.server.ts).
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

/** Each task's payload schema, by name (domains add theirs, see above). */
export interface TaskPayloadSchemas {
  [TASK.scheduleProductSyncs]: typeof cronPayload;
  [TASK.scheduleInventorySyncs]: typeof cronPayload;
  [TASK.scheduleInventoryReconciliations]: typeof cronPayload;
  [TASK.scheduleIntegrityChecks]: typeof cronPayload;
  [TASK.scheduleVerifications]: typeof cronPayload;
  [TASK.purgeUninstalledShops]: typeof cronPayload;
  [TASK.alertsStalenessWatch]: typeof cronPayload;
  [TASK.alertsDispatchSweep]: typeof cronPayload;
  [TASK.analyticsPruneSyncEvents]: typeof cronPayload;
  [TASK.webhooksPruneDeliveries]: typeof cronPayload;
  [TASK.productSync]: typeof shopJobPayload;
  [TASK.inventorySync]: typeof shopJobPayload;
  [TASK.inventoryReconcile]: typeof shopJobPayload;
  [TASK.integrityCheck]: typeof shopJobPayload;
  [TASK.verification]: typeof shopJobPayload;
}
