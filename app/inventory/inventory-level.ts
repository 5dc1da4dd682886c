import type { InventoryLevelNode } from "~/shopify-admin/operations";

// One inventory level as the app applies it, whichever way it came (a page of the hourly sync or a webhook).

export interface InventoryLevelChange {
  /** Shopify's numeric InventoryItem id. */
  inventoryItemId: bigint;
  available: number;
  /** Shopify's time of this level: the out-of-order guard compares it with the stored one. */
  updatedAt: Date;
  /** The variant Shopify reports for the item, when it does (sample ids of unknown variants). */
  variantId?: bigint | null;
}

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(?:\?.*)?$/;

/** The numeric part of `gid://shopify/<type>/<id>` (ids are stored as BIGINT, see prisma/schema.prisma). */
export function numericIdOf(gid: string, type: string): bigint {
  const match = GID.exec(gid);
  if (!match || match[1] !== type) throw new Error(`Expected a gid://shopify/${type}/<id>, got ${JSON.stringify(gid)}`);
  return BigInt(match[2]);
}

/** A level of the inventoryLevels query; null when Shopify sent no "available" quantity for it. */
export function levelFromNode(node: InventoryLevelNode): InventoryLevelChange | null {
  const available = node.quantities.find((q) => q.name === "available");
  if (!available) return null;
  return {
    inventoryItemId: numericIdOf(node.item.id, "InventoryItem"),
    available: available.quantity,
    updatedAt: new Date(node.updatedAt),
    variantId: node.item.variant ? numericIdOf(node.item.variant.id, "ProductVariant") : null,
  };
}
