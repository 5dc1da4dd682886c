// Every graphile-worker task identifier, in one place: jobs are stored by name, so renaming one strands the queued
// jobs of the old name.
export const TASK = {
  scheduleProductSyncs: "schedule-product-syncs",
  scheduleInventorySyncs: "schedule-inventory-syncs",
  scheduleIntegrityChecks: "schedule-integrity-checks",
  productSync: "product-sync",
  inventorySync: "inventory-sync",
  inventoryReconcile: "inventory-reconcile",
  scheduleInventoryReconciliations: "schedule-inventory-reconciliations",
  integrityCheck: "integrity-check",
  verification: "verification",
  scheduleVerifications: "schedule-verifications",
  purgeUninstalledShops: "purge-uninstalled-shops",
  inventoryWebhook: "inventory-webhook",
  productExportCheck: "product-export-check",
  inventoryReadCheck: "inventory-read-check",
  productWebhook: "product-webhook",
  productDeliveries: "product-deliveries",
  inventoryDeliveries: "inventory-deliveries",
  webhookDeliveriesSweep: "webhook-deliveries-sweep",
  alertsDispatch: "alerts-dispatch",
  alertsDispatchSweep: "alerts-dispatch-sweep",
  alertsStalenessWatch: "alerts-staleness-watch",
  analyticsPruneSyncEvents: "analytics-prune-sync-events",
  webhooksPruneDeliveries: "webhooks-prune-deliveries",
} as const;

export type TaskName = (typeof TASK)[keyof typeof TASK];

/** The per-shop sync kinds the fan-outs schedule. */
export const SHOP_SYNC_TASKS = [
  TASK.productSync,
  TASK.inventorySync,
  TASK.inventoryReconcile,
  TASK.integrityCheck,
  TASK.verification,
] as const;
export type ShopSyncTask = (typeof SHOP_SYNC_TASKS)[number];
