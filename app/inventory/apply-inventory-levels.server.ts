import type pg from "pg";
import { booleanArray, epochMillisArray, integerArray } from "~/database/sql-arrays";
import { selectedProductSql } from "~/merchants/selection.server";
import type { InventoryLevelChange } from "./inventory-level";

// Applies a batch of levels (a page of a sync, a batch of webhooks) in two set-based statements, never a SELECT and an
// UPDATE per item:
// 1. each level of one of the marketplace's locations is stored in inventory_level, unless the stored one is newer
//    (webhooks arrive late and out of order): newer means a later Shopify updated_at, or the same updated_at seen
//    later (observed_at), because Shopify does not promise that every change moves updatedAt;
// 2. each item's variant gets its marketplace quantity from marketplace_stock() (the sum over the marketplace's
//    locations, the one definition every path shares: docs/decisions/008) and, when the source says,
//    InventoryItem.tracked and inventoryPolicy;
//    tracked is also kept on the item's stored levels, for a variant not known yet.
// Levels of items we do not have yet are stored too: when the product sync brings the variant, its quantity is there.

/**
 * Levels applied per statement pair by the readers that gather them (the paged sync across its pages of 250, the bulk
 * read from its file): each statement costs ~0.7 ms beyond its rows (round trip, commit, executor start), a fifth of
 * a 250-level page (npm run bench -- inventory).
 */
export const INVENTORY_APPLY_BATCH_SIZE = 1_000;

export interface ApplyResult {
  /** Levels in the batch (after keeping the latest per item and location). */
  received: number;
  /** Variants whose marketplace quantity, tracking or inventory policy changed. */
  changed: number;
  /** Levels older than the stored one: skipped. */
  stale: number;
  /** Items of variants that exist but whose product is not selected: their variant is left alone. */
  notSelected: number;
  /** Items with no live variant here: the product sync has not seen them yet. */
  unknownInventoryItemIds: bigint[];
}

/**
 * The pool or a transaction's client. The statements below go as named prepared statements: each connection parses
 * and plans them once, where a plain query paid ~5 ms of planning on every page of 250 levels
 * (npm run bench -- inventory).
 */
interface Queryable {
  query<Row extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<Row>>;
}

const NEWER_THAN_STORED = `(l.updated_at, l.observed_at) <= (excluded.updated_at, excluded.observed_at)`;

const WRITE_LEVELS = `
WITH incoming AS (
  SELECT i.inventory_item_id, i.location_id, i.available,
         to_timestamp(i.updated_ms / 1000.0) AS updated_at, to_timestamp(i.observed_ms / 1000.0) AS observed_at
    FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::bigint[], $6::bigint[])
         AS i(inventory_item_id, location_id, available, updated_ms, observed_ms)
),
written AS (
  INSERT INTO inventory_level AS l (shop, inventory_item_id, location_id, available, updated_at, observed_at)
  SELECT $1, i.inventory_item_id, i.location_id, i.available, i.updated_at, i.observed_at FROM incoming i
  ON CONFLICT (shop, inventory_item_id, location_id) DO UPDATE
     SET available = excluded.available, updated_at = excluded.updated_at, observed_at = excluded.observed_at
   WHERE ${NEWER_THAN_STORED}
     -- an unchanged level is not rewritten (a full read returns every level): its observed_at stays the older one
     AND (l.available, l.updated_at) IS DISTINCT FROM (excluded.available, excluded.updated_at)
  RETURNING l.inventory_item_id, l.location_id
),
-- Only a level not written can be stale, so only those are looked up again (an hourly page writes all of its own).
-- MATERIALIZED: filtered before the lookups, not after. The lookup sees the rows as they were before this statement.
unwritten AS MATERIALIZED (
  SELECT i.* FROM incoming i
   WHERE NOT EXISTS (SELECT 1 FROM written w
                      WHERE w.inventory_item_id = i.inventory_item_id AND w.location_id = i.location_id)
),
stale AS (
  SELECT i.inventory_item_id, i.location_id
    FROM unwritten i
    JOIN inventory_level l ON l.shop = $1 AND l.inventory_item_id = i.inventory_item_id AND l.location_id = i.location_id
   WHERE (l.updated_at, l.observed_at) > (i.updated_at, i.observed_at)
)
SELECT ARRAY(SELECT s.inventory_item_id::text || ':' || s.location_id::text FROM stale s) AS stale,
       (SELECT count(*)::int FROM written) AS written`;

// One index lookup per item in the common case (the hourly read, where every level changed): the UPDATE finds each
// item's live variant by the (shop, inventory_item_id) index and its product by the primary key, and only the items
// it did not write (unchanged, not selected, not known here) are looked up again, to tell those apart.
const WRITE_VARIANTS = `
WITH items AS (
  SELECT * FROM unnest($2::bigint[], $3::boolean[], $4::"InventoryPolicy"[]) AS i(inventory_item_id, tracked, policy)
),
-- marketplace_stock() once for the whole batch (one index scan of inventory_level), not a function call per item:
-- marketplace_available() is the same definition for one item.
stock AS (
  SELECT * FROM marketplace_stock($1, ARRAY(SELECT i.inventory_item_id FROM items i))
),
written AS (
  UPDATE product_variant v
     SET available_quantity = s.available, inventory_updated_at = s.updated_at,
         inventory_tracked = coalesce(i.tracked, v.inventory_tracked),
         inventory_policy = coalesce(i.policy, v.inventory_policy)
    FROM items i
    JOIN merchant_connection c ON c.shop = $1
    LEFT JOIN stock s ON s.inventory_item_id = i.inventory_item_id,
         product p
   WHERE v.shop = $1 AND v.inventory_item_id = i.inventory_item_id AND v.deleted_at IS NULL
     AND p.shop = v.shop AND p.id = v.product_id AND p.deleted_at IS NULL AND ${selectedProductSql("p", "c")}
     AND (v.available_quantity, v.inventory_tracked, v.inventory_policy)
         IS DISTINCT FROM (s.available, coalesce(i.tracked, v.inventory_tracked), coalesce(i.policy, v.inventory_policy))
  RETURNING v.inventory_item_id
),
-- The items no variant took this batch's word from. The lookups below see the rows as they were before the UPDATE,
-- which for these items is as they are.
rest AS MATERIALIZED (
  SELECT i.* FROM items i WHERE NOT EXISTS (SELECT 1 FROM written w WHERE w.inventory_item_id = i.inventory_item_id)
),
matched AS MATERIALIZED (
  SELECT r.inventory_item_id,
         (p.id IS NOT NULL AND p.deleted_at IS NULL AND ${selectedProductSql("p", "c")}) AS selected
    FROM rest r
    JOIN product_variant v ON v.shop = $1 AND v.inventory_item_id = r.inventory_item_id AND v.deleted_at IS NULL
    JOIN merchant_connection c ON c.shop = v.shop
    LEFT JOIN product p ON p.shop = v.shop AND p.id = v.product_id
),
-- Tracking is remembered with the item's stored levels, for a variant a products/* webhook brings later. Shopify
-- gives an inventory item to one variant only, so an item whose variant was written above keeps it there.
remembered AS (
  UPDATE inventory_level l SET tracked = r.tracked
    FROM rest r
   WHERE l.shop = $1 AND l.inventory_item_id = r.inventory_item_id AND r.tracked IS NOT NULL
     AND l.tracked IS DISTINCT FROM r.tracked
)
SELECT (SELECT count(*)::int FROM written) AS changed,
       (SELECT count(*)::int FROM matched m WHERE NOT m.selected) AS not_selected,
       ARRAY(SELECT r.inventory_item_id::text FROM rest r
              WHERE NOT EXISTS (SELECT 1 FROM matched m WHERE m.inventory_item_id = r.inventory_item_id)
              ORDER BY r.inventory_item_id) AS unknown`;

/** What a reader that gathers levels (batchedApply) adds up over its batches. */
export interface AppliedTally {
  levels: number;
  changed: number;
  stale: number;
  notSelected: number;
  unknown: number;
  /** The first unknown items, for the run's event (not all: a new shop's whole catalogue can be unknown). */
  unknownSampleInventoryItemIds: string[];
}

const UNKNOWN_SAMPLE_SIZE = 20;

/**
 * For the readers that gather levels (the paged sync across its pages, the bulk read from its file): `add` keeps
 * them and applies them `batchSize` at a time, `flush` applies the rest; each batch's result is added to `tally`.
 */
export function batchedApply(
  db: Queryable,
  shop: string,
  tally: AppliedTally,
  batchSize: number = INVENTORY_APPLY_BATCH_SIZE,
) {
  let gathered: InventoryLevelChange[] = [];
  const flush = async () => {
    if (gathered.length === 0) return;
    const applied = await applyInventoryLevels(db, shop, gathered);
    gathered = [];
    tally.levels += applied.received;
    tally.changed += applied.changed;
    tally.stale += applied.stale;
    tally.notSelected += applied.notSelected;
    tally.unknown += applied.unknownInventoryItemIds.length;
    for (const id of applied.unknownInventoryItemIds) {
      if (tally.unknownSampleInventoryItemIds.length >= UNKNOWN_SAMPLE_SIZE) break;
      tally.unknownSampleInventoryItemIds.push(id.toString());
    }
  };
  return {
    async add(levels: readonly InventoryLevelChange[]) {
      gathered.push(...levels);
      if (gathered.length >= batchSize) await flush();
    },
    flush,
  };
}

/** A level's key, its item and location: how writeLevels names the stale ones. */
export const levelKey = (level: Pick<InventoryLevelChange, "inventoryItemId" | "locationId">) =>
  `${level.inventoryItemId}:${level.locationId}`;

/**
 * Keeps the latest level per item and location: one statement cannot update a row twice. Latest is the guard's own
 * order, (updated_at, observed_at), the later of two equal ones winning as it would applied after the other.
 */
export function latestPerLevel(levels: readonly InventoryLevelChange[]): InventoryLevelChange[] {
  const byLevel = new Map<string, InventoryLevelChange>();
  for (const level of levels) {
    const key = levelKey(level);
    const kept = byLevel.get(key);
    if (
      !kept ||
      kept.updatedAt < level.updatedAt ||
      (kept.updatedAt.getTime() === level.updatedAt.getTime() && kept.observedAt <= level.observedAt)
    ) {
      byLevel.set(key, level);
    }
  }
  return [...byLevel.values()];
}

export async function applyInventoryLevels(
  db: Queryable,
  shop: string,
  levels: readonly InventoryLevelChange[],
): Promise<ApplyResult> {
  const batch = latestPerLevel(levels);
  if (batch.length === 0) return { received: 0, changed: 0, stale: 0, notSelected: 0, unknownInventoryItemIds: [] };
  const stale = await writeLevels(db, shop, batch);
  const variants = await recomputeVariants(db, shop, batch);
  return { received: batch.length, stale: stale.length, ...variants };
}

/**
 * Statement 1 alone, for levels already one per item and location (latestPerLevel): stores each unless the stored
 * one is newer; returns the keys (levelKey) of those skipped as older than the stored one.
 */
export async function writeLevels(
  db: Queryable,
  shop: string,
  batch: readonly InventoryLevelChange[],
): Promise<string[]> {
  const { rows } = await db.query<{ stale: string[] }>({
    name: "inventory-write-levels",
    text: WRITE_LEVELS,
    values: [
      shop,
      integerArray(batch.map((l) => l.inventoryItemId)),
      integerArray(batch.map((l) => l.locationId)),
      integerArray(batch.map((l) => l.available)),
      epochMillisArray(batch.map((l) => l.updatedAt)),
      epochMillisArray(batch.map((l) => l.observedAt)),
    ],
  });
  return rows[0].stale;
}

/** Gives the items' variants their marketplace quantity (and tracking / policy when known) from inventory_level. */
export async function recomputeVariants(
  db: Queryable,
  shop: string,
  items: ReadonlyArray<Pick<InventoryLevelChange, "inventoryItemId" | "tracked" | "inventoryPolicy">>,
): Promise<Omit<ApplyResult, "received" | "stale">> {
  const byItem = new Map<bigint, (typeof items)[number]>();
  for (const item of items) byItem.set(item.inventoryItemId, item);
  if (byItem.size === 0) return { changed: 0, notSelected: 0, unknownInventoryItemIds: [] };
  const unique = [...byItem.values()];
  const { rows } = await db.query<{ changed: number; not_selected: number; unknown: string[] }>({
    name: "inventory-write-variants",
    text: WRITE_VARIANTS,
    values: [
      shop,
      integerArray(unique.map((i) => i.inventoryItemId)),
      booleanArray(unique.map((i) => i.tracked)),
      unique.map((i) => i.inventoryPolicy ?? null),
    ],
  });
  const [row] = rows;
  return {
    changed: row.changed,
    notSelected: row.not_selected,
    unknownInventoryItemIds: row.unknown.map((id) => BigInt(id)),
  };
}

/**
 * After a full read of one location: the stored levels there that the read did not return are no longer stocked
 * (a missed inventory_levels/disconnect). Levels Shopify updated after the read began, or in the second it began,
 * are left for the next read.
 * Returns the items whose level was removed.
 */
export async function removeLevelsAbsentFromRead(
  db: Queryable,
  shop: string,
  locationId: bigint,
  seenItemIds: readonly bigint[],
  readStartedAt: Date,
): Promise<bigint[]> {
  const { rows } = await db.query<{ inventory_item_id: string }>({
    // At Shopify's precision (whole seconds, shopifySecond in inventory-level.ts): a level whose updated_at is the
    // read's own second may have changed after the read began, and the removal, dated to that second with the read's
    // instant as observed_at, stays older than a level Shopify changes again in it.
    text: `UPDATE inventory_level SET available = NULL, updated_at = date_trunc('second', $4::timestamptz), observed_at = $4
      WHERE shop = $1 AND location_id = $2 AND available IS NOT NULL AND updated_at < date_trunc('second', $4::timestamptz)
        AND NOT (inventory_item_id = ANY ($3::bigint[]))
      RETURNING inventory_item_id::text`,
    values: [shop, locationId.toString(), seenItemIds.map(String), readStartedAt],
  });
  return rows.map((r) => BigInt(r.inventory_item_id));
}
