import { withTransaction } from "~/db.server";

// Which of a shop's locations the marketplace sells from (docs/decisions/008): the ones the merchant assigned, or
// else the primary location. The same rule as SQL's marketplace_location_ids(shop), which the quantity is summed by.

export function marketplaceLocationIdsOf(connection: {
  defaultLocationId: bigint | null;
  marketplaceLocationIds: bigint[];
}): bigint[] {
  if (connection.marketplaceLocationIds.length > 0) return connection.marketplaceLocationIds;
  return connection.defaultLocationId === null ? [] : [connection.defaultLocationId];
}

/**
 * Assigns the locations whose stock the marketplace sells (empty: back to the primary location). Every variant's
 * quantity is recomputed over the new set at once, so a removed location's stock stops selling now rather than at
 * the next read; the next inventory sync reads every level again, so the new locations' stock is complete then.
 */
export async function assignMarketplaceLocations(shop: string, locationIds: readonly bigint[]): Promise<void> {
  const unique = [...new Set(locationIds)];
  await withTransaction(async (client) => {
    await client.query(
      "UPDATE merchant_connection SET marketplace_location_ids = $2::bigint[], last_inventory_sync_at = NULL WHERE shop = $1",
      [shop, unique.map(String)],
    );
    await client.query(
      `UPDATE product_variant v SET available_quantity = marketplace_available(v.shop, v.inventory_item_id)
        WHERE v.shop = $1 AND v.inventory_item_id IS NOT NULL AND v.deleted_at IS NULL
          AND v.available_quantity IS DISTINCT FROM marketplace_available(v.shop, v.inventory_item_id)`,
      [shop],
    );
  });
}
