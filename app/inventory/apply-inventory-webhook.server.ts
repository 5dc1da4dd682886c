import { pgPool, prisma } from "~/db.server";
import { enqueueShopJob } from "~/jobs/queue.server";
import { TASK } from "~/jobs/task-names";
import { applyInventoryLevels, type ApplyResult } from "./apply-inventory-levels.server";

// An `inventory_levels/update` webhook takes the same path as a page of the hourly sync, for one level: the same
// statement, so the same out-of-order guard (a late webhook never overwrites a newer level) and the same handling
// of an unknown variant (a product sync of the shop). Duplicates are harmless: the second finds nothing to change.

export interface InventoryWebhookLevel {
  inventoryItemId: bigint;
  locationId: bigint;
  /** Shopify sends null when the item is not tracked at the location. */
  available: number | null;
  updatedAt: Date;
}

export type InventoryWebhookOutcome =
  | { outcome: "applied"; result: ApplyResult; productSyncQueued: boolean }
  | { outcome: "ignored"; reason: "no-connection" | "inactive" | "other-location" | "untracked" };

export async function applyInventoryWebhook(shop: string, level: InventoryWebhookLevel): Promise<InventoryWebhookOutcome> {
  const connection = await prisma.merchantConnection.findUnique({
    where: { shop },
    select: { active: true, defaultLocationId: true },
  });
  if (!connection) return { outcome: "ignored", reason: "no-connection" };
  if (!connection.active) return { outcome: "ignored", reason: "inactive" };
  // The marketplace shows the default location's stock only. Without a default location yet, the hourly sync
  // (which sets it) is the one to apply levels.
  if (connection.defaultLocationId === null || connection.defaultLocationId !== level.locationId) {
    return { outcome: "ignored", reason: "other-location" };
  }
  if (level.available === null) return { outcome: "ignored", reason: "untracked" };

  const result = await applyInventoryLevels(pgPool(), shop, [
    { inventoryItemId: level.inventoryItemId, available: level.available, updatedAt: level.updatedAt },
  ]);
  let productSyncQueued = false;
  if (result.unknownInventoryItemIds.length > 0) {
    await enqueueShopJob(TASK.productSync, { shop, reason: "webhook" });
    productSyncQueued = true;
  }
  return { outcome: "applied", result, productSyncQueued };
}
