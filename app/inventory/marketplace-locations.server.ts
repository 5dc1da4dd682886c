import { prisma } from "~/db.server";

// Which of a shop's locations the marketplace sells from (docs/decisions/008): the ones the merchant assigned, or
// else the primary location. The same rule as SQL's marketplace_location_ids(shop), which the quantity is summed by.

export function marketplaceLocationIdsOf(connection: { defaultLocationId: bigint | null; marketplaceLocationIds: bigint[] }): bigint[] {
  if (connection.marketplaceLocationIds.length > 0) return connection.marketplaceLocationIds;
  return connection.defaultLocationId === null ? [] : [connection.defaultLocationId];
}

/**
 * Assigns the locations whose stock the marketplace sells (empty: back to the primary location). The next inventory
 * sync reads every level again, so the quantities of the new set are complete at once.
 */
export async function assignMarketplaceLocations(shop: string, locationIds: readonly bigint[]): Promise<void> {
  const unique = [...new Set(locationIds)];
  await prisma.merchantConnection.update({
    where: { shop },
    data: { marketplaceLocationIds: unique, lastInventorySyncAt: null },
  });
}
