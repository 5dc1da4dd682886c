import type { SyncEventType } from "@prisma/client";
import { TASK, type ShopSyncTask, type TaskName } from "./task-names";
import type { TaskSchedule } from "./task-payloads";

// A sync kind is one row: everything the app says about a kind of per-shop sync besides its own domain module and
// its task body. The fan-outs and their crontab lines, the staleness watch, alert recovery, the merchant and admin
// pages' labels and "run now" intents all read these rows, so a new kind (collections, say) is one row, its domain
// module, its task (app/worker/tasks/), a migration for its last-success column and its tests; the compiler names
// whatever else is missing (TASK, the task list, an intent). Plain data without server code: pages import it too.

/** The operators' "run now" requests of the kinds (the admin merchant page), each named by one row's adminIntent. */
export const SYNC_KIND_INTENTS = ["sync-products", "sync-inventory", "check-integrity", "verify"] as const;
export type SyncKindIntent = (typeof SYNC_KIND_INTENTS)[number];

/** The environment variables (app/env.server.ts) that set a fan-out's spread window, in minutes. */
export type SpreadVariable =
  | "PRODUCT_SYNC_SPREAD_MINUTES"
  | "INVENTORY_SYNC_SPREAD_MINUTES"
  | "INVENTORY_RECONCILIATION_SPREAD_MINUTES"
  | "INTEGRITY_CHECK_SPREAD_MINUTES"
  | "VERIFICATION_SPREAD_MINUTES";

/** merchant_connection's columns that a kind's successful run moves (the staleness watch reads them). */
export type LastSuccessColumn = "last_product_sync_at" | "last_inventory_sync_at";

export interface SyncKind {
  /** The per-shop task; also the job type of its alerts (SYNC_FAILURE, SYNC_STALE). */
  task: ShopSyncTask;
  /** The cron task that queues `task` for every schedulable shop, and when it fires. */
  fanOutTask: TaskName;
  schedule: TaskSchedule;
  /** Spreads the fan-out's per-shop jobs over this many minutes, at a stable offset per shop. */
  spreadVariable: SpreadVariable;
  /** The sync_event rows its runs record. */
  eventType: SyncEventType;
  /** How pages name a run of it. */
  label: string;
  /** Alert when a schedulable shop has had no success for this long (with `lastSuccessColumn`); null: not watched. */
  staleAfterHours: number | null;
  lastSuccessColumn: LastSuccessColumn | null;
  /** The admin merchant page's "run now" request for it, if operators may run it by hand. */
  adminIntent: SyncKindIntent | null;
}

const HOUR = 60 * 60 * 1000;

export const SYNC_KINDS = {
  [TASK.productSync]: {
    task: TASK.productSync,
    fanOutTask: TASK.scheduleProductSyncs,
    schedule: { identifier: "product-sync-fan-out", match: "0 3 * * *", backfillPeriod: 12 * HOUR }, // daily, 03:00 UTC
    spreadVariable: "PRODUCT_SYNC_SPREAD_MINUTES",
    eventType: "PRODUCT_SYNC",
    label: "Product sync",
    staleAfterHours: 26,
    lastSuccessColumn: "last_product_sync_at",
    adminIntent: "sync-products",
  },
  [TASK.inventorySync]: {
    task: TASK.inventorySync,
    fanOutTask: TASK.scheduleInventorySyncs,
    schedule: { identifier: "inventory-sync-fan-out", match: "0 * * * *", backfillPeriod: 1 * HOUR }, // hourly
    spreadVariable: "INVENTORY_SYNC_SPREAD_MINUTES",
    eventType: "INVENTORY_SYNC",
    label: "Inventory sync",
    staleAfterHours: 3,
    lastSuccessColumn: "last_inventory_sync_at",
    adminIntent: "sync-inventory",
  },
  // A full read of every shop's levels: what the hourly filter and the webhooks missed. Its runs are INVENTORY_SYNC
  // events (mode "reconcile"), so its success ends inventory-sync's alerts too and its clock is the inventory sync's.
  [TASK.inventoryReconcile]: {
    task: TASK.inventoryReconcile,
    fanOutTask: TASK.scheduleInventoryReconciliations,
    // Daily at 01:30 UTC, clear of the product syncs (03:00) and the hourly runs' spread.
    schedule: { identifier: "inventory-reconciliation-fan-out", match: "30 1 * * *", backfillPeriod: 12 * HOUR },
    spreadVariable: "INVENTORY_RECONCILIATION_SPREAD_MINUTES",
    eventType: "INVENTORY_SYNC",
    label: "Inventory reconciliation",
    staleAfterHours: null,
    lastSuccessColumn: null,
    adminIntent: null,
  },
  [TASK.integrityCheck]: {
    task: TASK.integrityCheck,
    fanOutTask: TASK.scheduleIntegrityChecks,
    schedule: { identifier: "integrity-check-fan-out", match: "0 2 * * 0", backfillPeriod: 48 * HOUR }, // Sundays, 02:00 UTC
    spreadVariable: "INTEGRITY_CHECK_SPREAD_MINUTES",
    eventType: "DATA_INTEGRITY",
    label: "Integrity check",
    staleAfterHours: null,
    lastSuccessColumn: null,
    adminIntent: "check-integrity",
  },
  // A rotating sample of each shop's variants read back from Shopify and compared (app/verification). Hourly, at :20,
  // clear of the inventory sync's firing; its per-run budget is a share of what the shop's bucket restores in an
  // hour (app/verification/budget.ts: VERIFICATION_PERIOD_MS says the same period).
  [TASK.verification]: {
    task: TASK.verification,
    fanOutTask: TASK.scheduleVerifications,
    schedule: { identifier: "verification-fan-out", match: "20 * * * *", backfillPeriod: 1 * HOUR },
    spreadVariable: "VERIFICATION_SPREAD_MINUTES",
    eventType: "VERIFICATION",
    label: "Verification",
    staleAfterHours: null,
    lastSuccessColumn: null,
    adminIntent: "verify",
  },
} as const satisfies { [Task in ShopSyncTask]: SyncKind & { task: Task } };

export const SYNC_KIND_LIST: readonly SyncKind[] = Object.values(SYNC_KINDS);

/** The cron tasks that fan the kinds out, one per row. */
export type FanOutTask = (typeof SYNC_KINDS)[ShopSyncTask]["fanOutTask"];

/** The sync_event types the kinds' runs record (literal: a type union, for lists that must cover every type). */
export type SyncKindEventType = (typeof SYNC_KINDS)[ShopSyncTask]["eventType"];

/** The event types sync kinds record, each once. */
export const SYNC_KIND_EVENT_TYPES: SyncEventType[] = [...new Set(SYNC_KIND_LIST.map((kind) => kind.eventType))];

/** The kind an event type stands for: the first row recording it (INVENTORY_SYNC: the inventory sync). */
export function syncKindOfEvent(eventType: string): SyncKind | undefined {
  return SYNC_KIND_LIST.find((kind) => kind.eventType === eventType);
}

/** The kind an operator's "run now" intent runs. */
export function syncKindOfIntent(intent: string): SyncKind | undefined {
  return SYNC_KIND_LIST.find((kind) => kind.adminIntent === intent);
}
