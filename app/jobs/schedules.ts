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
] satisfies CronItem[];
