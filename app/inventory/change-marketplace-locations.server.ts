import { prisma } from "~/db.server";
import { enqueue } from "~/jobs/queue.server";
import { shopJobOptions } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";
import { DomainError } from "~/lib/domain-error";
import { isSchedulable } from "~/merchants/schedulable";
import type { AdminClient } from "~/shopify-admin/admin-client.server";
import type { DataOf } from "~/shopify-admin/graphql-document";
import { LOCATIONS_PAGE_SIZE, LOCATIONS_QUERY, PRIMARY_LOCATION_QUERY } from "~/shopify-admin/operations";
import { numericIdOf } from "~/shopify-admin/gid";
import { assignMarketplaceLocations } from "./marketplace-locations.server";

// The merchant's page of the locations whose stock the marketplace sells (docs/decisions/008): the shop's locations
// as Shopify has them now, and the assignment (none: the primary location). Changing it is checked against Shopify
// (only the shop's own active locations), recomputes every variant's quantity over the new set at once (a removed
// location's stock stops selling now, not at the next read), and queues the reconciliation, which reads every level
// of the new set.

export interface MarketplaceLocation {
  /** Numeric id, as the form sends it back. */
  id: string;
  name: string;
  primary: boolean;
  /** Its stock is sold on the marketplace (the primary location when nothing is assigned). */
  sells: boolean;
}

export interface MarketplaceLocationsView {
  locations: MarketplaceLocation[];
  /** Nothing assigned: the marketplace follows the shop's primary location, whichever it is. */
  followsPrimary: boolean;
}

type LocationsClient = Pick<AdminClient, "request">;

interface ShopLocations {
  active: Array<{ id: bigint; name: string }>;
  primaryId: bigint | null;
}

async function readShopLocations(admin: LocationsClient): Promise<ShopLocations> {
  const active: ShopLocations["active"] = [];
  let after: string | null = null;
  do {
    const page: DataOf<typeof LOCATIONS_QUERY> = await admin.request(LOCATIONS_QUERY, {
      first: LOCATIONS_PAGE_SIZE,
      after,
    });
    for (const node of page.locations.nodes)
      if (node.isActive) active.push({ id: numericIdOf(node.id, "Location"), name: node.name });
    after = page.locations.pageInfo.hasNextPage ? page.locations.pageInfo.endCursor : null;
  } while (after);
  const primary = await admin.request(PRIMARY_LOCATION_QUERY, {});
  return { active, primaryId: primary.location ? numericIdOf(primary.location.id, "Location") : null };
}

export async function loadMarketplaceLocations(input: {
  shop: string;
  admin: LocationsClient;
}): Promise<MarketplaceLocationsView> {
  const connection = await prisma.merchantConnection.findUnique({
    where: { shop: input.shop },
    select: { marketplaceLocationIds: true },
  });
  if (!connection) throw new DomainError("CONNECTION_NOT_FOUND", "Your shop is not connected to the marketplace yet.");
  const { active, primaryId } = await readShopLocations(input.admin);
  const assigned = new Set(connection.marketplaceLocationIds);
  const followsPrimary = assigned.size === 0;
  return {
    followsPrimary,
    locations: active.map((l) => ({
      id: l.id.toString(),
      name: l.name,
      primary: l.id === primaryId,
      sells: followsPrimary ? l.id === primaryId : assigned.has(l.id),
    })),
  };
}

/** Assigns the locations (empty: back to the primary location) and returns what the merchant is told. */
export async function changeMarketplaceLocations(input: {
  shop: string;
  locationIds: readonly bigint[];
  admin: LocationsClient;
}): Promise<string> {
  const connection = await prisma.merchantConnection.findUnique({
    where: { shop: input.shop },
    select: { marketplaceLocationIds: true, active: true, approvalStatus: true, syncPaused: true },
  });
  if (!connection) throw new DomainError("CONNECTION_NOT_FOUND", "Your shop is not connected to the marketplace yet.");
  const wanted = [...new Set(input.locationIds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const { active } = await readShopLocations(input.admin);
  const known = new Set(active.map((l) => l.id));
  const foreign = wanted.filter((id) => !known.has(id));
  if (foreign.length > 0) {
    throw new DomainError("LOCATIONS_NOT_OWNED", `Not an active location of your shop: ${foreign.join(", ")}.`, {
      locationIds: foreign.map(String),
    });
  }
  const current = [...connection.marketplaceLocationIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (current.length === wanted.length && current.every((id, i) => id === wanted[i]))
    return "The marketplace already sells the stock of these locations.";

  await assignMarketplaceLocations(input.shop, wanted);
  if (isSchedulable(connection)) {
    await enqueue(
      TASK.inventoryReconcile,
      { shop: input.shop, reason: "manual" },
      shopJobOptions(TASK.inventoryReconcile, input.shop),
    );
    return wanted.length === 0
      ? "The marketplace now sells the stock of your primary location. Its stock is being read again."
      : "Saved. The stock of these locations is being read now; the marketplace shows it in a few minutes.";
  }
  return "Saved. Stock is read once the marketplace approves your shop.";
}
