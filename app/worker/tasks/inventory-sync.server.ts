import { notifyAdmins } from "~/alerts/notify-admins.server";
import { syncInventory } from "~/inventory/sync-inventory.server";
import type { AdminClient } from "~/shopify-admin/admin-client.server";
import { adminClientForShop } from "~/shopify-admin/client-for-shop.server";
import { ShopifyAccessRevokedError } from "~/shopify-admin/errors";
import { defineTask, PermanentJobError, type DefinedTask } from "../define-task.server";
import { shopJobKey, shopJobPayload } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";
import { failShopRun } from "./shop-run-failure.server";

// The hourly inventory sync of one shop, and its daily reconciliation (a full read of every level: the same task
// body with `reconcile`, under its own name and job key so neither replaces the other). Throttling is waited out inside the Admin client and never fails an
// attempt; other failures are retried (3 attempts from 30 s) and alert once, after the last attempt. A revoked
// token cannot be fixed by retrying: the connection is deactivated (the fan-outs stop scheduling it) and the job
// fails for good.

/** Both the paged run and a bulk read it started (retried by queueing the run again: inventory-read-check). */
export const INVENTORY_SYNC_RETRY = { maxAttempts: 3, firstDelayMs: 30_000 };

export interface InventorySyncDependencies {
  clientFor(shop: string): Promise<AdminClient>;
}

type InventoryTask = DefinedTask<typeof shopJobPayload, typeof TASK.inventorySync>;
type ReconcileTask = DefinedTask<typeof shopJobPayload, typeof TASK.inventoryReconcile>;

export function createInventorySyncTask(
  dependencies: InventorySyncDependencies,
  options: { reconcile: true },
): ReconcileTask;
export function createInventorySyncTask(
  dependencies: InventorySyncDependencies,
  options?: { reconcile?: false },
): InventoryTask;
export function createInventorySyncTask(
  dependencies: InventorySyncDependencies,
  options?: { reconcile?: boolean },
): InventoryTask | ReconcileTask;
export function createInventorySyncTask(
  dependencies: InventorySyncDependencies,
  options: { reconcile?: boolean } = {},
) {
  const name = options.reconcile ? TASK.inventoryReconcile : TASK.inventorySync;
  return defineTask({
    name,
    payload: shopJobPayload,
    retry: INVENTORY_SYNC_RETRY,
    exclusiveKey: (payload) => shopJobKey(name, payload.shop),
    async run(payload, { helpers, attempt, maxAttempts }) {
      const started = performance.now();
      try {
        const client = await dependencies.clientFor(payload.shop);
        const result = await syncInventory({ shop: payload.shop, client, reconcile: options.reconcile, attempt });
        helpers.logger.info(
          result.skipped
            ? `${name} ${payload.shop}: skipped (${result.skipped})`
            : result.bulkRead
              ? `${name} ${payload.shop}: ${result.mode} through bulk read ${result.bulkRead.operationId} (~${result.bulkRead.estimatedLevels} levels${result.bulkRead.alreadyRunning ? ", already under way" : ", started"})`
              : `${name} ${payload.shop}: ${result.mode}, ${result.pages} page(s), ${result.levels} level(s), ${result.changed} changed, ${result.unknown} unknown`,
        );
      } catch (error) {
        await failShopRun(error, {
          shop: payload.shop,
          eventType: "INVENTORY_SYNC",
          startedAt: started,
          attempt,
          maxAttempts,
          reason: payload.reason,
        });
      }
    },
    async onGaveUp(payload, error) {
      const revoked = error instanceof PermanentJobError && error.cause instanceof ShopifyAccessRevokedError;
      await notifyAdmins({
        type: "SYNC_FAILURE",
        severity: revoked ? "WARNING" : "CRITICAL",
        shop: payload.shop,
        jobType: name,
        title: revoked
          ? `${payload.shop} revoked the app's access: its connection was deactivated`
          : `The inventory ${options.reconcile ? "reconciliation" : "sync"} of ${payload.shop} failed`,
        data: { error: error instanceof Error ? error.message : String(error), connectionDeactivated: revoked },
      });
    },
  });
}

export const inventorySync = createInventorySyncTask({ clientFor: (shop) => adminClientForShop(shop) });
export const inventoryReconcile = createInventorySyncTask(
  { clientFor: (shop) => adminClientForShop(shop) },
  { reconcile: true },
);
