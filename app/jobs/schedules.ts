import type { CronItem } from "graphile-worker";
import { TASK } from "./task-names";

// The crontab, in one place. Times are UTC (graphile-worker's cron always is). `identifier` must never change: it
// is how graphile-worker remembers the last run, to backfill runs missed while no worker was up (`backfillPeriod`).

const HOUR = 60 * 60 * 1000;

export const SCHEDULES = [
  {
    identifier: "product-sync-fan-out",
    task: TASK.scheduleProductSyncs,
    match: "0 3 * * *", // daily at 03:00 UTC
    options: { backfillPeriod: 12 * HOUR, maxAttempts: 1 },
  },
  {
    identifier: "inventory-sync-fan-out",
    task: TASK.scheduleInventorySyncs,
    match: "0 * * * *", // hourly, on the hour
    options: { backfillPeriod: 1 * HOUR, maxAttempts: 1 },
  },
  {
    // A full read of every shop's levels: what the hourly filter and the webhooks missed (app/inventory/sync-inventory).
    identifier: "inventory-reconciliation-fan-out",
    task: TASK.scheduleInventoryReconciliations,
    match: "30 1 * * *", // daily at 01:30 UTC, clear of the product syncs (03:00) and the hourly runs' spread
    options: { backfillPeriod: 12 * HOUR, maxAttempts: 1 },
  },
  {
    identifier: "integrity-check-fan-out",
    task: TASK.scheduleIntegrityChecks,
    match: "0 2 * * 0", // Sundays at 02:00 UTC
    options: { backfillPeriod: 48 * HOUR, maxAttempts: 1 },
  },
  {
    identifier: "purge-uninstalled-shops",
    task: TASK.purgeUninstalledShops,
    match: "30 4 * * *", // daily at 04:30 UTC, after the product syncs have started
    options: { backfillPeriod: 24 * HOUR, maxAttempts: 1 },
  },
  {
    identifier: "alerts-staleness-watch",
    task: TASK.alertsStalenessWatch,
    match: "*/15 * * * *", // a shop whose syncs stopped (no job failed) is noticed within 15 minutes
    options: { backfillPeriod: 0, maxAttempts: 1 },
  },
  {
    identifier: "alerts-dispatch-sweep",
    task: TASK.alertsDispatchSweep,
    match: "*/5 * * * *", // sends notifications whose dispatch job was lost (a crash between commit and enqueue)
    options: { backfillPeriod: 0, maxAttempts: 1 },
  },
  {
    identifier: "analytics-prune-sync-events",
    task: TASK.analyticsPruneSyncEvents,
    match: "45 4 * * *", // daily at 04:45 UTC: sync events older than EVENT_RETENTION_DAYS
    options: { backfillPeriod: 24 * HOUR, maxAttempts: 1 },
  },
  {
    identifier: "webhooks-prune-deliveries",
    task: TASK.webhooksPruneDeliveries,
    match: "50 4 * * *", // daily at 04:50 UTC: delivery receipts past Shopify's retry window
    options: { backfillPeriod: 24 * HOUR, maxAttempts: 1 },
  },
] satisfies CronItem[];
