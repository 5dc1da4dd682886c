import { pgPool, prisma } from "~/db.server";
import { enqueue } from "~/jobs/queue.server";
import { shopJobOptions } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";
import { applyInventoryLevels, recomputeVariants, type ApplyResult } from "./apply-inventory-levels.server";
import { shopifySecond } from "./inventory-level";
import { marketplaceLocationIdsOf } from "./marketplace-locations.server";

// One inventory_levels/update, connect or disconnect, applied the way a page of the inventory sync is, for one level:
// the same statements, so the same out-of-order guard (a late webhook never overwrites a newer level) and the same
// handling of an unknown variant (a product sync of the shop). Duplicates are harmless: the second finds nothing to
// change. The `inventory-webhook` jobs queued per delivery by the release before run it; the routes now store
// deliveries for the shop's coalescing job, which gives each delivery this same meaning for a whole batch
// (apply-inventory-deliveries.server.ts).

export const INVENTORY_WEBHOOK_TOPICS = [
  "inventory_levels/update",
  "inventory_levels/connect",
  "inventory_levels/disconnect",
] as const;
export type InventoryWebhookTopic = (typeof INVENTORY_WEBHOOK_TOPICS)[number];

export interface InventoryWebhookLevel {
  topic?: InventoryWebhookTopic;
  inventoryItemId: bigint;
  locationId: bigint;
  /** Shopify sends null when the item is not tracked; a disconnect carries none. */
  available: number | null;
  /** The level's updated_at; a disconnect carries none, and is dated by its X-Shopify-Triggered-At. */
  updatedAt: Date | null;
  /** X-Shopify-Triggered-At: breaks ties between versions with the same updated_at. */
  triggeredAt?: Date | null;
}

export type InventoryWebhookOutcome =
  | { outcome: "applied"; result: ApplyResult; productSyncQueued: boolean }
  | { outcome: "ignored"; reason: "no-connection" | "inactive" | "other-location" | "undated" };

export async function applyInventoryWebhook(
  shop: string,
  level: InventoryWebhookLevel,
  now: Date = new Date(),
): Promise<InventoryWebhookOutcome> {
  const connection = await prisma.merchantConnection.findUnique({
    where: { shop },
    select: { active: true, defaultLocationId: true, marketplaceLocationIds: true },
  });
  if (!connection) return { outcome: "ignored", reason: "no-connection" };
  if (!connection.active) return { outcome: "ignored", reason: "inactive" };
  const topic = level.topic ?? "inventory_levels/update";
  const observedAt = level.triggeredAt ?? level.updatedAt ?? now;
  let result: ApplyResult;

  if (topic === "inventory_levels/update" && level.available === null) {
    // Shopify stopped tracking the item: it sells whatever its quantity, at every location.
    const variants = await recomputeVariants(pgPool(), shop, [
      { inventoryItemId: level.inventoryItemId, tracked: false },
    ]);
    result = { received: 1, stale: 0, ...variants };
  } else {
    // The marketplace sells the stock of its own locations only. Without any location known yet, the inventory
    // sync (which learns the primary one) is the one to apply levels.
    if (!marketplaceLocationIdsOf(connection).includes(level.locationId))
      return { outcome: "ignored", reason: "other-location" };
    // A disconnect carries no updated_at: it is dated by when Shopify emitted it, at Shopify's precision
    // (shopifySecond), the exact instant kept as its observedAt.
    const updatedAt =
      topic === "inventory_levels/disconnect"
        ? level.triggeredAt
          ? shopifySecond(level.triggeredAt)
          : null
        : level.updatedAt;
    if (!updatedAt) return { outcome: "ignored", reason: "undated" };
    result = await applyInventoryLevels(pgPool(), shop, [
      {
        inventoryItemId: level.inventoryItemId,
        locationId: level.locationId,
        available: topic === "inventory_levels/disconnect" ? null : level.available,
        updatedAt,
        observedAt,
        // A quantity in an update or connect means Shopify tracks the item.
        tracked: topic === "inventory_levels/disconnect" ? null : true,
      },
    ]);
  }
  let productSyncQueued = false;
  if (result.unknownInventoryItemIds.length > 0) {
    await enqueue(TASK.productSync, { shop, reason: "webhook" }, shopJobOptions(TASK.productSync, shop));
    productSyncQueued = true;
  }
  return { outcome: "applied", result, productSyncQueued };
}
