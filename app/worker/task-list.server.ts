import type { Task, TaskList } from "graphile-worker";
import { runAsJob } from "~/db.server";
import type { DefinedTask } from "./define-task.server";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "~/jobs/retry-policy";
import { TASK, type TaskName } from "~/jobs/task-names";
import type { TaskPayloadSchemas } from "~/jobs/task-payloads";
import { alertsDispatchSweep } from "./tasks/alerts-dispatch-sweep.server";
import { alertsDispatch } from "./tasks/alerts-dispatch.server";
import { alertsStalenessWatch } from "./tasks/alerts-staleness-watch.server";
import { analyticsPruneSyncEvents } from "./tasks/analytics-prune-sync-events.server";
import { integrityCheck } from "./tasks/integrity-check.server";
import { inventoryReconcile, inventorySync } from "./tasks/inventory-sync.server";
import { inventoryReadCheck } from "./tasks/inventory-read-check.server";
import { purgeUninstalledShopsTask } from "./tasks/purge-uninstalled-shops.server";
import { inventoryWebhook } from "./tasks/inventory-webhook.server";
import { productExportCheck, productSync } from "./tasks/product-sync.server";
import { inventoryDeliveries } from "./tasks/inventory-deliveries.server";
import { productDeliveries } from "./tasks/product-deliveries.server";
import { webhookDeliveriesSweep } from "./tasks/webhook-deliveries-sweep.server";
import { productWebhook } from "./tasks/product-webhook.server";
import { verification } from "./tasks/verification.server";
import { webhooksPruneDeliveries } from "./tasks/webhooks-prune-deliveries.server";
import {
  scheduleIntegrityChecks,
  scheduleInventoryReconciliations,
  scheduleInventorySyncs,
  scheduleProductSyncs,
  scheduleVerifications,
} from "./tasks/schedule-shop-syncs.server";

// Every task the worker runs, by name, each from its one definition (defineTask: payload, retry policy, schedule).
// The compiler checks the list against TASK and app/jobs/task-payloads.ts: a task without a definition, one filed
// under another's name, or one whose payload schema is not the one enqueue types its jobs by, does not build. An explicit list rather than a tasks directory: Vite bundles the server, so a directory of .ts files is
// not there at run time. The crontab (schedules.ts) is derived from it, in this order.
export const TASKS = {
  [TASK.scheduleProductSyncs]: scheduleProductSyncs,
  [TASK.scheduleInventorySyncs]: scheduleInventorySyncs,
  [TASK.scheduleInventoryReconciliations]: scheduleInventoryReconciliations,
  [TASK.scheduleIntegrityChecks]: scheduleIntegrityChecks,
  [TASK.scheduleVerifications]: scheduleVerifications,
  [TASK.purgeUninstalledShops]: purgeUninstalledShopsTask,
  [TASK.alertsStalenessWatch]: alertsStalenessWatch,
  [TASK.alertsDispatchSweep]: alertsDispatchSweep,
  [TASK.analyticsPruneSyncEvents]: analyticsPruneSyncEvents,
  [TASK.webhooksPruneDeliveries]: webhooksPruneDeliveries,
  [TASK.webhookDeliveriesSweep]: webhookDeliveriesSweep,
  [TASK.productSync]: productSync,
  [TASK.productExportCheck]: productExportCheck,
  [TASK.productWebhook]: productWebhook,
  [TASK.productDeliveries]: productDeliveries,
  [TASK.inventorySync]: inventorySync,
  [TASK.inventoryReconcile]: inventoryReconcile,
  [TASK.inventoryReadCheck]: inventoryReadCheck,
  [TASK.inventoryWebhook]: inventoryWebhook,
  [TASK.inventoryDeliveries]: inventoryDeliveries,
  [TASK.integrityCheck]: integrityCheck,
  [TASK.verification]: verification,
  [TASK.alertsDispatch]: alertsDispatch,
} satisfies { [Name in TaskName]: DefinedTask<TaskPayloadSchemas[Name], Name> };

/** Every definition, in the list's order. */
export const TASK_DEFINITIONS: DefinedTask["definition"][] = Object.values(TASKS).map((task) => task.definition);

/** The retry policy of a task by its stored name (the jobs page's "attempt n of m"); unknown names: the default. */
export function retryPolicyOf(task: string): RetryPolicy {
  return (TASKS as Partial<Record<string, DefinedTask>>)[task]?.definition.retry ?? DEFAULT_RETRY_POLICY;
}

// Each runs as a job: on the job pool, with the job timeouts (app/database/timeouts.server.ts), known by its id and
// graphile-worker attempt (currentJob: a re-run after a crash records its sync event once).
const asJob =
  (task: Task): Task =>
  (payload, helpers) =>
    runAsJob(async () => task(payload, helpers), { id: helpers.job.id, attempt: helpers.job.attempts });

export const taskList: TaskList = Object.fromEntries(Object.entries(TASKS).map(([name, task]) => [name, asJob(task)]));
