import type { Task, TaskList } from "graphile-worker";
import { runAsJob } from "~/db.server";
import { TASK } from "./task-names";
import { alertsDispatchSweep } from "./tasks/alerts-dispatch-sweep.server";
import { alertsDispatch } from "./tasks/alerts-dispatch.server";
import { alertsStalenessWatch } from "./tasks/alerts-staleness-watch.server";
import { analyticsPruneSyncEvents } from "./tasks/analytics-prune-sync-events.server";
import { integrityCheck } from "./tasks/integrity-check.server";
import { inventoryReconcile, inventorySync } from "./tasks/inventory-sync.server";
import { purgeUninstalledShopsTask } from "./tasks/purge-uninstalled-shops.server";
import { inventoryWebhook } from "./tasks/inventory-webhook.server";
import { productExportCheck, productSync } from "./tasks/product-sync.server";
import { productWebhook } from "./tasks/product-webhook.server";
import { webhooksPruneDeliveries } from "./tasks/webhooks-prune-deliveries.server";
import {
  scheduleIntegrityChecks,
  scheduleInventoryReconciliations,
  scheduleInventorySyncs,
  scheduleProductSyncs,
} from "./tasks/schedule-shop-syncs.server";

// Every task the worker runs, by name. An explicit list rather than a tasks directory: Vite bundles the server,
// so a directory of .ts files is not there at run time. Each runs as a job: on the job pool, with the job
// timeouts (app/database/timeouts.server.ts).
const tasks: TaskList = {
  [TASK.scheduleProductSyncs]: scheduleProductSyncs,
  [TASK.scheduleInventorySyncs]: scheduleInventorySyncs,
  [TASK.scheduleIntegrityChecks]: scheduleIntegrityChecks,
  [TASK.productSync]: productSync,
  [TASK.productExportCheck]: productExportCheck,
  [TASK.productWebhook]: productWebhook,
  [TASK.inventorySync]: inventorySync,
  [TASK.inventoryReconcile]: inventoryReconcile,
  [TASK.scheduleInventoryReconciliations]: scheduleInventoryReconciliations,
  [TASK.inventoryWebhook]: inventoryWebhook,
  [TASK.integrityCheck]: integrityCheck,
  [TASK.purgeUninstalledShops]: purgeUninstalledShopsTask,
  [TASK.alertsDispatch]: alertsDispatch,
  [TASK.alertsDispatchSweep]: alertsDispatchSweep,
  [TASK.alertsStalenessWatch]: alertsStalenessWatch,
  [TASK.analyticsPruneSyncEvents]: analyticsPruneSyncEvents,
  [TASK.webhooksPruneDeliveries]: webhooksPruneDeliveries,
};

const asJob = (task: Task): Task => (payload, helpers) => runAsJob(async () => task(payload, helpers));

export const taskList: TaskList = Object.fromEntries(Object.entries(tasks).map(([name, task]) => [name, asJob(task as Task)]));
