import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { pgPool, prisma } from "~/db.server";
import { enqueue } from "~/jobs/queue.server";
import { shopJobOptions } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";
import { selectedProductSql } from "~/merchants/selection.server";
import type { AdminClient } from "~/shopify-admin/admin-client.server";
import type { DataOf } from "~/shopify-admin/graphql-document";
import { INVENTORY_LEVELS_PAGE_SIZE, INVENTORY_LEVELS_QUERY, PRIMARY_LOCATION_QUERY } from "~/shopify-admin/operations";
import { CostAwarePageSize, requestSizedPage } from "~/shopify-admin/page-size";
import { batchedApply, recomputeVariants, removeLevelsAbsentFromRead } from "./apply-inventory-levels.server";
import { numericIdOf, toGid } from "~/shopify-admin/gid";
import { levelFromNode, type InventoryLevelChange } from "./inventory-level";
import { startInventoryRead } from "./inventory-read-operation.server";
import { env } from "~/env.server";

// The inventory sync of one shop, per location the marketplace sells from (docs/decisions/008): the levels that
// changed since the last successful sync, every page, through the throttle-aware Admin client (a throttled shop is
// waited out there), the pages applied a batch at a time. The first run, or a shop whose last sync is too old, reads
// every level. The daily reconciliation (`reconcile: true`) always reads every level, because nothing Shopify documents
// promises that every order, reservation or transfer moves a level's updatedAt (which the incremental filter
// trusts), and webhooks are not guaranteed: what it corrects is the measure of what the other paths missed.
// Page sizes follow the cost Shopify reports (app/shopify-admin/page-size.ts).
//
// A full read of a shop with many levels goes through a bulk operation instead (INVENTORY_BULK_READ_MIN_LEVELS,
// app/inventory/inventory-read-operation.server.ts): this run starts it and returns; the check that finds it finished
// applies it, records the run's event and moves the "last inventory sync". The hourly incremental read stays paged.

/** A last sync older than this is not trusted as a starting point (missed webhooks, a long outage): read all. */
export const FULL_READ_AFTER_HOURS = 24;
/**
 * The incremental window starts this much before the previous run began: Shopify's clock and ours differ a little,
 * and re-reading a level is harmless (an unchanged level is not written).
 */
export const SINCE_OVERLAP_MS = 60_000;
/** A bulk read of a few thousand levels takes Shopify seconds; its finish webhook normally arrives before this. */
const BULK_FIRST_CHECK_DELAY_MS = 15_000;

export interface SyncInventoryOptions {
  shop: string;
  client: AdminClient;
  now?: () => Date;
  fullReadAfterHours?: number;
  /** The first page size; later pages follow the cost Shopify reports. */
  pageSize?: number;
  /** The daily reconciliation: read every level of every marketplace location, whatever the last sync. */
  reconcile?: boolean;
  /** A full read of at least this many levels (estimated) goes bulk; default INVENTORY_BULK_READ_MIN_LEVELS. */
  bulkReadMinLevels?: number;
  /** The wait before the first check of a bulk read (the finish webhook usually comes first). */
  bulkFirstCheckDelayMs?: number;
  /** The job's attempt: a bulk read that fails is retried as the next attempt of this run. */
  attempt?: number;
  /** Levels per apply (default INVENTORY_APPLY_BATCH_SIZE); tests make it small to apply page by page. */
  applyBatchSize?: number;
}

export interface InventorySyncResult {
  shop: string;
  skipped?: "no-connection" | "inactive" | "empty-selection";
  mode?: "full" | "incremental" | "reconcile";
  /** The lower bound of updated_at that was asked for (incremental runs). */
  since?: string | null;
  locationIds?: string[];
  /** A full read through a bulk operation: it was started (or one of the same locations is under way), not applied. */
  bulkRead?: { operationId: string; alreadyRunning: boolean; estimatedLevels: number };
  pages: number;
  levels: number;
  changed: number;
  /** Levels the read no longer returned (a missed disconnect): marked not stocked. Full reads only. */
  removed: number;
  stale: number;
  notSelected: number;
  unknown: number;
  /** Some of the unknown items (InventoryItem ids: the levels read does not ask for their variants). */
  unknownSampleInventoryItemIds: string[];
  /** Pages Shopify refused with MAX_COST_EXCEEDED, asked again smaller. */
  pagesShrunk: number;
  productSyncQueued: boolean;
  durationMs: number;
}

function emptyResult(shop: string): InventorySyncResult {
  return {
    shop,
    pages: 0,
    levels: 0,
    changed: 0,
    removed: 0,
    stale: 0,
    notSelected: 0,
    unknown: 0,
    unknownSampleInventoryItemIds: [],
    pagesShrunk: 0,
    productSyncQueued: false,
    durationMs: 0,
  };
}

/**
 * How many levels a full read of the locations returns, before reading them: the shop's live variants at each
 * location (an item is stocked at most once per location), or the levels stored there if more.
 */
async function estimatedLevels(shop: string, locationIds: readonly bigint[]): Promise<number> {
  const { rows } = await pgPool().query<{ n: string }>(
    `SELECT greatest(
       (SELECT count(*) FROM product_variant WHERE shop = $1 AND deleted_at IS NULL) * $3,
       (SELECT count(*) FROM inventory_level WHERE shop = $1 AND location_id = ANY ($2::bigint[]) AND available IS NOT NULL)
     )::text AS n`,
    [shop, locationIds.map(String), locationIds.length],
  );
  return Number(rows[0].n);
}

async function hasSelectedProducts(shop: string): Promise<boolean> {
  const { rows } = await pgPool().query(
    `SELECT EXISTS (SELECT 1 FROM product p JOIN merchant_connection c ON c.shop = p.shop
                     WHERE p.shop = $1 AND p.deleted_at IS NULL AND ${selectedProductSql("p", "c")}) AS any`,
    [shop],
  );
  return rows[0].any as boolean;
}

/** The connection's primary location, or Shopify's (remembered on the connection) when unset. */
export async function primaryLocationOf(shop: string, stored: bigint | null, client: AdminClient): Promise<bigint> {
  if (stored !== null) return stored;
  const { location } = await client.request(PRIMARY_LOCATION_QUERY, {});
  if (!location) throw new Error(`${shop} has no default location and Shopify reports no primary location`);
  const id = numericIdOf(location.id, "Location");
  await prisma.merchantConnection.updateMany({
    where: { shop, defaultLocationId: null },
    data: { defaultLocationId: id },
  });
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
    select: {
      active: true,
      merchantId: true,
      defaultLocationId: true,
      marketplaceLocationIds: true,
      lastInventorySyncAt: true,
    },
  });
  if (!connection) return { ...result, skipped: "no-connection" };
  if (!connection.active) return { ...result, skipped: "inactive" };
  if (!(await hasSelectedProducts(shop))) {
    // Nothing is listed, so nothing to read; the last sync time stays, so the next run with a selection reads all.
    result.skipped = "empty-selection";
  } else {
    const assigned = connection.marketplaceLocationIds;
    const locationIds =
      assigned.length > 0 ? assigned : [await primaryLocationOf(shop, connection.defaultLocationId, client)];
    const fullReadAfterMs = (options.fullReadAfterHours ?? FULL_READ_AFTER_HOURS) * 3_600_000;
    const last = connection.lastInventorySyncAt;
    const incremental =
      !options.reconcile && last !== null && runStartedAt.getTime() - last.getTime() <= fullReadAfterMs;
    const since = incremental ? new Date(last.getTime() - SINCE_OVERLAP_MS) : null;
    Object.assign(result, {
      mode: options.reconcile ? "reconcile" : incremental ? "incremental" : "full",
      since: since?.toISOString() ?? null,
      locationIds: locationIds.map(String),
    });

    if (!incremental) {
      const estimate = await estimatedLevels(shop, locationIds);
      if (estimate >= (options.bulkReadMinLevels ?? env().INVENTORY_BULK_READ_MIN_LEVELS)) {
        const read = await startInventoryRead(
          client,
          shop,
          {
            mode: options.reconcile ? "reconcile" : "full",
            locationIds: locationIds.map(String),
            assignedLocationIds: assigned.map(String),
            runStartedAt: runStartedAt.toISOString(),
            syncAttempt: options.attempt ?? 1,
          },
          options.bulkFirstCheckDelayMs ?? BULK_FIRST_CHECK_DELAY_MS,
          now,
        );
        result.bulkRead = { ...read, estimatedLevels: estimate };
        result.durationMs = performance.now() - started;
        return result;
      }
    }

    // The levels of several pages are applied together (INVENTORY_APPLY_BATCH_SIZE), and what is gathered is always
    // applied before a location's read ends. A run that fails keeps its starting point, so a page read but not yet
    // applied is read again by the next run.
    const gathered = batchedApply(pgPool(), shop, result, options.applyBatchSize);
    const pageSize = new CostAwarePageSize(options.pageSize ?? INVENTORY_LEVELS_PAGE_SIZE);
    for (const locationId of locationIds) {
      const readStartedAt = now();
      const seen: bigint[] = [];
      let after: string | null = null;
      do {
        const cursor: string | null = after;
        const { data, shrunk }: { data: DataOf<typeof INVENTORY_LEVELS_QUERY>; shrunk: number } =
          await requestSizedPage(
            pageSize,
            (first): Promise<DataOf<typeof INVENTORY_LEVELS_QUERY>> =>
              client.request(INVENTORY_LEVELS_QUERY, {
                locationId: toGid("Location", locationId),
                first,
                after: cursor,
                query: since ? `updated_at:>'${since.toISOString()}'` : null,
              }),
            () => client.lastRequestedCost(),
          );
        result.pagesShrunk += shrunk;
        if (!data.location) throw new Error(`Location ${locationId} of ${shop} does not exist in Shopify`);
        const page = data.location.inventoryLevels;
        const observedAt = now();
        const levels = page.nodes
          .map((node) => levelFromNode(node, locationId, observedAt))
          .filter((l): l is InventoryLevelChange => l !== null);
        if (!incremental) for (const level of levels) seen.push(level.inventoryItemId);
        await gathered.add(levels);
        result.pages += 1;
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      await gathered.flush();
      if (!incremental) {
        // A full read lists every item stocked at the location: a stored level it did not return is gone.
        const removed = await removeLevelsAbsentFromRead(pgPool(), shop, locationId, seen, readStartedAt);
        result.removed += removed.length;
        const recomputed = await recomputeVariants(
          pgPool(),
          shop,
          removed.map((inventoryItemId) => ({ inventoryItemId })),
        );
        result.changed += recomputed.changed;
      }
    }

    // A variant Shopify has and we do not: the product sync fetches it (not dropped, not guessed). Its levels are
    // stored already (apply-inventory-levels): the variant takes its quantity from them when it arrives.
    if (result.unknown > 0) {
      await enqueue(TASK.productSync, { shop, reason: "follow-up" }, shopJobOptions(TASK.productSync, shop));
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
      locationIds: result.locationIds ?? null,
      pages: result.pages,
      levels: result.levels,
      changed: result.changed,
      removed: result.removed,
      pagesShrunk: result.pagesShrunk,
      // What a reconciliation corrected: what the hourly sync and the webhooks had missed (the merchant admin page).
      ...(result.mode === "reconcile" ? { corrected: result.changed } : {}),
      stale: result.stale,
      notSelected: result.notSelected,
      unknown: result.unknown,
      unknownSampleInventoryItemIds: result.unknownSampleInventoryItemIds,
      productSyncQueued: result.productSyncQueued,
      requests: client.stats.requests,
      throttled: client.stats.throttled,
      waitedMs: Math.round(client.stats.waitedMs),
    },
  });
  return result;
}
