import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { pgPool, prisma } from "~/db.server";
import { enqueueShopJob } from "~/jobs/queue.server";
import { TASK } from "~/jobs/task-names";
import { selectedProductSql } from "~/merchants/selection.server";
import type { AdminClient } from "~/shopify-admin/admin-client.server";
import type { DataOf } from "~/shopify-admin/graphql-document";
import { INVENTORY_LEVELS_PAGE_SIZE, INVENTORY_LEVELS_QUERY, PRIMARY_LOCATION_QUERY } from "~/shopify-admin/operations";
import { applyInventoryLevels } from "./apply-inventory-levels.server";
import { levelFromNode, numericIdOf, type InventoryLevelChange } from "./inventory-level";

// The hourly inventory sync of one shop: the levels at the connection's default location that changed since the
// last successful sync, every page, through the throttle-aware Admin client (a throttled shop is waited out there),
// each page applied in one statement. The first run, or a shop whose last sync is too old, reads every level.

/** A last sync older than this is not trusted as a starting point (missed webhooks, a long outage): read all. */
export const FULL_READ_AFTER_HOURS = 24;
/**
 * The incremental window starts this much before the previous run began: Shopify's clock and ours differ a little,
 * and re-reading a level is harmless (an unchanged level is not written).
 */
export const SINCE_OVERLAP_MS = 60_000;
const UNKNOWN_SAMPLE_SIZE = 20;

export interface SyncInventoryOptions {
  shop: string;
  client: AdminClient;
  now?: () => Date;
  fullReadAfterHours?: number;
  pageSize?: number;
}

export interface InventorySyncResult {
  shop: string;
  skipped?: "no-connection" | "inactive" | "empty-selection";
  mode?: "full" | "incremental";
  /** The lower bound of updated_at that was asked for (incremental runs). */
  since?: string | null;
  locationId?: string;
  pages: number;
  levels: number;
  changed: number;
  stale: number;
  notSelected: number;
  unknown: number;
  unknownSampleVariantIds: string[];
  productSyncQueued: boolean;
  durationMs: number;
}

function emptyResult(shop: string): InventorySyncResult {
  return {
    shop, pages: 0, levels: 0, changed: 0, stale: 0, notSelected: 0, unknown: 0, unknownSampleVariantIds: [],
    productSyncQueued: false, durationMs: 0,
  };
}

async function hasSelectedProducts(shop: string): Promise<boolean> {
  const { rows } = await pgPool().query(
    `SELECT EXISTS (SELECT 1 FROM product p JOIN merchant_connection c ON c.shop = p.shop
                     WHERE p.shop = $1 AND p.deleted_at IS NULL AND ${selectedProductSql("p", "c")}) AS any`,
    [shop],
  );
  return rows[0].any as boolean;
}

/** The connection's default location, or Shopify's primary location (remembered on the connection) when unset. */
async function locationOf(shop: string, stored: bigint | null, client: AdminClient): Promise<bigint> {
  if (stored !== null) return stored;
  const { location } = await client.request(PRIMARY_LOCATION_QUERY, {});
  if (!location) throw new Error(`${shop} has no default location and Shopify reports no primary location`);
  const id = numericIdOf(location.id, "Location");
  await prisma.merchantConnection.updateMany({ where: { shop, defaultLocationId: null }, data: { defaultLocationId: id } });
  return id;
}

export async function syncInventory(options: SyncInventoryOptions): Promise<InventorySyncResult> {
  const started = performance.now();
  const { shop, client } = options;
  const now = options.now ?? (() => new Date());
  const result = emptyResult(shop);
  const runStartedAt = now();

  const connection = await prisma.merchantConnection.findUnique({
    where: { shop },
    select: { active: true, merchantId: true, defaultLocationId: true, lastInventorySyncAt: true },
  });
  if (!connection) return { ...result, skipped: "no-connection" };
  if (!connection.active) return { ...result, skipped: "inactive" };
  if (!(await hasSelectedProducts(shop))) {
    // Nothing is listed, so nothing to read; the last sync time stays, so the next run with a selection reads all.
    result.skipped = "empty-selection";
  } else {
    const locationId = await locationOf(shop, connection.defaultLocationId, client);
    const fullReadAfterMs = (options.fullReadAfterHours ?? FULL_READ_AFTER_HOURS) * 3_600_000;
    const last = connection.lastInventorySyncAt;
    const incremental = last !== null && runStartedAt.getTime() - last.getTime() <= fullReadAfterMs;
    const since = incremental ? new Date(last.getTime() - SINCE_OVERLAP_MS) : null;
    Object.assign(result, {
      mode: incremental ? "incremental" : "full",
      since: since?.toISOString() ?? null,
      locationId: locationId.toString(),
    });

    const unknownVariantIds: string[] = [];
    let after: string | null = null;
    do {
      const data: DataOf<typeof INVENTORY_LEVELS_QUERY> = await client.request(INVENTORY_LEVELS_QUERY, {
        locationId: `gid://shopify/Location/${locationId}`,
        first: options.pageSize ?? INVENTORY_LEVELS_PAGE_SIZE,
        after,
        query: since ? `updated_at:>'${since.toISOString()}'` : null,
      });
      if (!data.location) throw new Error(`Location ${locationId} of ${shop} does not exist in Shopify`);
      const page = data.location.inventoryLevels;
      const levels = page.nodes.map(levelFromNode).filter((l): l is InventoryLevelChange => l !== null);
      const applied = await applyInventoryLevels(pgPool(), shop, levels);
      result.pages += 1;
      result.levels += applied.received;
      result.changed += applied.changed;
      result.stale += applied.stale;
      result.notSelected += applied.notSelected;
      result.unknown += applied.unknownInventoryItemIds.length;
      if (unknownVariantIds.length < UNKNOWN_SAMPLE_SIZE && applied.unknownInventoryItemIds.length > 0) {
        const unknown = new Set(applied.unknownInventoryItemIds);
        for (const level of levels) {
          if (unknown.has(level.inventoryItemId) && unknownVariantIds.length < UNKNOWN_SAMPLE_SIZE) {
            unknownVariantIds.push((level.variantId ?? level.inventoryItemId).toString());
          }
        }
      }
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    result.unknownSampleVariantIds = unknownVariantIds;

    // A variant Shopify has and we do not: the product sync fetches it (not dropped, not guessed).
    if (result.unknown > 0) {
      await enqueueShopJob(TASK.productSync, { shop, reason: "follow-up" });
      result.productSyncQueued = true;
    }
    // The next run starts from when this one started: levels that changed while it paged are read again then.
    await pgPool().query(
      `UPDATE merchant_connection SET last_inventory_sync_at = $2, updated_at = now()
        WHERE shop = $1 AND (last_inventory_sync_at IS NULL OR last_inventory_sync_at < $2)`,
      [shop, runStartedAt],
    );
  }

  result.durationMs = performance.now() - started;
  await recordSyncEvent({
    shop,
    merchantId: connection.merchantId,
    eventType: "INVENTORY_SYNC",
    status: "SUCCESS",
    itemCount: result.changed,
    processingTimeMs: result.durationMs,
    metadata: {
      ...(result.skipped ? { skipped: result.skipped } : {}),
      mode: result.mode ?? null,
      since: result.since ?? null,
      locationId: result.locationId ?? null,
      pages: result.pages,
      levels: result.levels,
      changed: result.changed,
      stale: result.stale,
      notSelected: result.notSelected,
      unknown: result.unknown,
      unknownSampleVariantIds: result.unknownSampleVariantIds,
      productSyncQueued: result.productSyncQueued,
      requests: client.stats.requests,
      throttled: client.stats.throttled,
      waitedMs: Math.round(client.stats.waitedMs),
    },
  });
  return result;
}
