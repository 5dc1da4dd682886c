import { z } from "zod";
import { prisma } from "~/db.server";
import { enqueue } from "~/jobs/queue.server";
import { shopJobOptions } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";
import { logger } from "~/lib/logger.server";
import {
  applyPendingDeliveries,
  DELIVERY_STREAMS,
  failedUnit,
  type ApplyDeliveryBatch,
  type PendingDelivery,
} from "~/webhooks/pending-deliveries.server";
import { latestPerLevel, levelKey, recomputeVariants, writeLevels } from "./apply-inventory-levels.server";
import { shopifySecond, type InventoryLevelChange } from "./inventory-level";
import { parseInventoryDelivery } from "./inventory-webhook-payload.server";
import { marketplaceLocationIdsOf } from "./marketplace-locations.server";

// The job side of inventory_levels/update, connect and disconnect: a shop's pending deliveries (stored with their
// payload by the routes, inventory-webhook-action.server.ts) applied in batches, one transaction per batch, through
// the statements of the inventory sync (apply-inventory-levels.server.ts), coalesced per level. The claim, the
// marking and the job are every stream's (app/webhooks/pending-deliveries.server.ts).
//
// Each delivery means what it meant to the per-delivery job (applyInventoryWebhook, apply-inventory-webhook.server.ts):
// an update or connect is the level (available, updated_at) at one of the marketplace's locations; a disconnect is the
// level gone, dated by its X-Shopify-Triggered-At at Shopify's precision (shopifySecond); an update with available
// null is the item no longer tracked; a level of another location, or a disconnect without its time, is ignored.
//
// Coalescing: per (inventory item, location), the newest delivery of the batch wins, in the out-of-order guard's own
// order (updated_at, then observed_at: X-Shopify-Triggered-At), the later arrival winning a full tie, as it would
// applied after the other (latestPerLevel); the others are `superseded`. The winner is written with the guard, so a
// level older than the stored one is `stale` whatever order the batches run in. Connect, update and disconnect of one
// level are versions of it in that one order: a disconnect and a connect again within the same second keep the order
// of their triggered-at instants. Tracking is the newest word of the batch per item (an update or connect says tracked,
// an update with available null says not), as each delivery applied in that order would leave it.

/** Deliveries applied per transaction. */
export const INVENTORY_DELIVERY_BATCH_SIZE = 500;

export type InventoryDeliveryOutcome =
  | "applied"
  | "stale"
  | "superseded"
  | "malformed"
  | "failed"
  | "unknown-shop"
  | "inactive"
  | "other-location"
  | "undated";

export interface ApplyInventoryDeliveriesResult {
  /** Deliveries claimed by this batch (0: none was pending). */
  deliveries: number;
  /** True when the batch was full: more may be pending. */
  more: boolean;
  outcomes: Record<InventoryDeliveryOutcome, number>;
  /** Levels written (newer than the stored one). */
  levelsWritten: number;
  /** Variants whose marketplace quantity or tracking changed. */
  variantsChanged: number;
  /** A product sync was queued for items with no variant here yet. */
  productSyncQueued: boolean;
}

type BatchStats = Pick<ApplyInventoryDeliveriesResult, "levelsWritten" | "variantsChanged" | "productSyncQueued">;

/** Claims and applies one batch of `shop`'s pending inventory deliveries, oldest first. */
export async function applyPendingInventoryDeliveries(
  shop: string,
  options: { now?: Date; batchSize?: number; onFullBatch?: () => Promise<unknown> } = {},
): Promise<ApplyInventoryDeliveriesResult> {
  const batch = await applyPendingDeliveries(DELIVERY_STREAMS.inventory, shop, applyInventoryBatch, {
    ...options,
    batchSize: options.batchSize ?? INVENTORY_DELIVERY_BATCH_SIZE,
  });
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<InventoryDeliveryOutcome, number>;
  for (const outcome of batch.outcomes.values()) outcomes[outcome] += 1;
  return {
    deliveries: batch.deliveries,
    more: batch.more,
    outcomes,
    levelsWritten: batch.stats?.levelsWritten ?? 0,
    variantsChanged: batch.stats?.variantsChanged ?? 0,
    productSyncQueued: batch.stats?.productSyncQueued ?? false,
  };
}

const OUTCOMES: InventoryDeliveryOutcome[] = [
  "applied",
  "stale",
  "superseded",
  "malformed",
  "failed",
  "unknown-shop",
  "inactive",
  "other-location",
  "undated",
];

/** A delivery that changes something: a level (update, connect, disconnect) or the item's tracking alone. */
interface Planned {
  row: PendingDelivery;
  itemId: bigint;
  /** The level it writes; none for an update that says the item is not tracked. */
  level?: InventoryLevelChange;
  /** What it says of tracking: true (an update or connect), false (available null), undefined (a disconnect). */
  tracked?: boolean;
  /** Its place in the guard's order. */
  updatedAt: Date;
  observedAt: Date;
}

export interface InventoryDeliveryPlan {
  /** The newest level per item and location, with its delivery; tracking as the item's newest word says. */
  levels: { level: InventoryLevelChange; webhookId: string }[];
  /** Items whose newest word is "not tracked", with that delivery (their levels of the batch say the same). */
  untracked: { itemId: bigint; webhookId: string }[];
  /** Deliveries a newer one of the batch replaces. */
  superseded: string[];
}

/** Which deliveries of a batch to apply (the newest per level, the newest word on tracking per item). */
export function planInventoryDeliveries(planned: Planned[]): InventoryDeliveryPlan {
  const newer = (a: Planned, b: Planned) =>
    a.updatedAt > b.updatedAt || (a.updatedAt.getTime() === b.updatedAt.getTime() && a.observedAt >= b.observedAt);
  // The newest word on tracking per item (in arrival order, the later winning a tie).
  const tracking = new Map<bigint, Planned>();
  for (const p of planned) {
    if (p.tracked === undefined) continue;
    const kept = tracking.get(p.itemId);
    if (!kept || newer(p, kept)) tracking.set(p.itemId, p);
  }
  const withLevel = planned.filter((p) => p.level);
  const winners = new Set(latestPerLevel(withLevel.map((p) => p.level!)));
  const levels = withLevel
    .filter((p) => winners.has(p.level!))
    .map((p) => ({
      level: { ...p.level!, tracked: tracking.has(p.itemId) ? tracking.get(p.itemId)!.tracked : p.level!.tracked },
      webhookId: p.row.webhook_id,
    }));
  const untracked: InventoryDeliveryPlan["untracked"] = [];
  const superseded: string[] = [];
  for (const p of planned) {
    if (p.level ? !winners.has(p.level) : tracking.get(p.itemId) !== p) superseded.push(p.row.webhook_id);
    else if (!p.level) untracked.push({ itemId: p.itemId, webhookId: p.row.webhook_id });
  }
  return { levels, untracked, superseded };
}

const applyInventoryBatch: ApplyDeliveryBatch<InventoryDeliveryOutcome, BatchStats> = async (
  client,
  rows,
  { shop, now, isolate },
) => {
  const outcomes = new Map<string, InventoryDeliveryOutcome>();
  const stats: BatchStats = { levelsWritten: 0, variantsChanged: 0, productSyncQueued: false };
  const connection = await prisma.merchantConnection.findUnique({
    where: { shop },
    select: { active: true, defaultLocationId: true, marketplaceLocationIds: true },
  });
  const locations = connection ? new Set(marketplaceLocationIdsOf(connection)) : new Set<bigint>();

  const planned: Planned[] = [];
  for (const row of rows) {
    if (!connection || !connection.active) {
      outcomes.set(row.webhook_id, connection ? "inactive" : "unknown-shop");
      continue;
    }
    let delivery;
    try {
      delivery = parseInventoryDelivery(row.topic, row.payload, row.triggered_at);
    } catch (error) {
      if (!(error instanceof z.ZodError)) throw error;
      outcomes.set(row.webhook_id, "malformed");
      logger.error(
        { scope: "webhooks", shop, topic: row.topic, webhookId: row.webhook_id, outcome: "malformed" },
        `malformed ${row.topic} for ${shop} (webhook ${row.webhook_id}), not applied: ${error.message}`,
      );
      continue;
    }
    const observedAt = delivery.triggeredAt ?? delivery.updatedAt ?? now;
    const itemId = delivery.inventoryItemId;
    if (delivery.topic === "inventory_levels/update" && delivery.available === null) {
      // Shopify stopped tracking the item: it sells whatever its quantity, at every location.
      planned.push({ row, itemId, tracked: false, updatedAt: delivery.updatedAt!, observedAt });
      continue;
    }
    // The marketplace sells the stock of its own locations only (none known yet: the inventory sync's to apply).
    if (!locations.has(delivery.locationId)) {
      outcomes.set(row.webhook_id, "other-location");
      continue;
    }
    const disconnect = delivery.topic === "inventory_levels/disconnect";
    const updatedAt = disconnect
      ? delivery.triggeredAt
        ? shopifySecond(delivery.triggeredAt)
        : null
      : delivery.updatedAt;
    if (!updatedAt) {
      outcomes.set(row.webhook_id, "undated");
      continue;
    }
    planned.push({
      row,
      itemId,
      // A quantity in an update or connect means Shopify tracks the item.
      tracked: disconnect ? undefined : true,
      updatedAt,
      observedAt,
      level: {
        inventoryItemId: itemId,
        locationId: delivery.locationId,
        available: disconnect ? null : delivery.available,
        updatedAt,
        observedAt,
        tracked: disconnect ? null : true,
      },
    });
  }

  const plan = planInventoryDeliveries(planned);
  for (const id of plan.superseded) outcomes.set(id, "superseded");
  const unknownItems = new Set<bigint>();
  const write = async (levels: InventoryDeliveryPlan["levels"], untracked: InventoryDeliveryPlan["untracked"]) => {
    const stale = new Set(
      levels.length > 0
        ? await writeLevels(
            client,
            shop,
            levels.map((l) => l.level),
          )
        : [],
    );
    const items = [
      ...levels.map((l) => l.level),
      ...untracked.map((u) => ({ inventoryItemId: u.itemId, tracked: false })),
    ];
    const variants = await recomputeVariants(client, shop, items);
    for (const { level, webhookId } of levels)
      outcomes.set(webhookId, stale.has(levelKey(level)) ? "stale" : "applied");
    for (const { webhookId } of untracked) outcomes.set(webhookId, "applied");
    stats.levelsWritten += levels.length - stale.size;
    stats.variantsChanged += variants.changed;
    for (const id of variants.unknownInventoryItemIds) unknownItems.add(id);
  };
  if (!isolate) {
    await write(plan.levels, plan.untracked);
  } else {
    // Level by level (and item by item), each under a savepoint: only a level the database refuses is `failed`.
    const units = [
      ...plan.levels.map((l) => ({ what: `level ${levelKey(l.level)}`, levels: [l], untracked: [] })),
      ...plan.untracked.map((u) => ({ what: `item ${u.itemId}`, levels: [], untracked: [u] })),
    ];
    for (const unit of units) {
      const webhookIds = [...unit.levels, ...unit.untracked].map((u) => u.webhookId);
      if (await failedUnit(client, { shop, what: unit.what, webhookIds }, () => write(unit.levels, unit.untracked)))
        for (const id of webhookIds) outcomes.set(id, "failed");
    }
  }
  if (unknownItems.size > 0) {
    // Items with no variant here yet: the shop's product sync brings them (their levels are stored meanwhile). Queued
    // on the batch's transaction, so it is queued exactly when the batch commits.
    await enqueue(
      TASK.productSync,
      { shop, reason: "webhook" },
      { ...shopJobOptions(TASK.productSync, shop), on: client },
    );
    stats.productSyncQueued = true;
  }
  return { outcomes, stats };
};
