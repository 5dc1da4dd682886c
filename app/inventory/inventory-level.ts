import { numericIdOf } from "~/shopify-admin/gid";
import type { InventoryLevelNode } from "~/shopify-admin/operations";

// One inventory level as the app applies it, whichever way it came (a page of the hourly sync or a webhook).

export interface InventoryLevelChange {
  /** Shopify's numeric InventoryItem id. */
  inventoryItemId: bigint;
  /** Shopify's numeric Location id: one of the marketplace's locations. */
  locationId: bigint;
  /** null: the item is not stocked at the location (disconnected, or absent from a full read of it). */
  available: number | null;
  /** Shopify's time of this level: the out-of-order guard compares it with the stored one. */
  updatedAt: Date;
  /** When this version was seen (a webhook's X-Shopify-Triggered-At, a read's time): breaks updatedAt ties. */
  observedAt: Date;
  /** InventoryItem.tracked, when the source says (the GraphQL reads do; webhooks do not). */
  tracked?: boolean | null;
  /**
   * ProductVariant.inventoryPolicy, when the source says (the verification's repair does; the levels read and
   * webhooks do not: the product sync and products/* webhooks keep it).
   */
  inventoryPolicy?: "DENY" | "CONTINUE" | null;
}

/**
 * The second Shopify would date a change made at `at`: its updated_at has whole seconds. A version the app dates
 * itself (a disconnect, by its X-Shopify-Triggered-At; a level absent from a full read, by when the read began) must
 * be dated at that precision, with the exact instant as its observedAt. Dated to the millisecond, it would be later
 * than a level Shopify changed again in the same second (updated_at S < S.1), and that newer level, from its
 * webhook or from every later read, would be taken for a stale one and never applied.
 */
export function shopifySecond(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}

/**
 * A level of the inventoryLevels query of a location; null when Shopify sent no "available" quantity for it. The
 * variant and its inventory policy are not read with it (INVENTORY_LEVELS_QUERY): the item id finds the variant.
 */
export function levelFromNode(
  node: InventoryLevelNode,
  locationId: bigint,
  observedAt: Date,
): InventoryLevelChange | null {
  const available = node.quantities.find((q) => q.name === "available");
  if (!available) return null;
  return {
    inventoryItemId: numericIdOf(node.item.id, "InventoryItem"),
    locationId,
    available: available.quantity,
    updatedAt: new Date(node.updatedAt),
    observedAt,
    tracked: node.item.tracked,
  };
}
