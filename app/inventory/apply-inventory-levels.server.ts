import type pg from "pg";
import { selectedProductSql } from "~/merchants/selection.server";
import type { InventoryLevelChange } from "./inventory-level";

// Applies a batch of levels (a page of the sync, or one webhook) in ONE statement, never a SELECT and an UPDATE
// per item. A level is written when it is not older than what is stored (webhooks arrive late and out of order)
// and something differs. A newer level with the same quantity still advances inventory_updated_at: otherwise a
// late, older webhook carrying another quantity would pass the guard and overwrite the true value.

export interface ApplyResult {
  /** Levels in the batch (after keeping the latest per item). */
  received: number;
  /** Variants whose available quantity changed. */
  changed: number;
  /** Levels older than the stored one: skipped. */
  stale: number;
  /** Items of variants that exist but whose product is not selected: skipped. */
  notSelected: number;
  /** Items with no live variant here: the product sync has not seen them yet. */
  unknownInventoryItemIds: bigint[];
}

interface Queryable {
  query<Row extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<Row>>;
}

// Each incoming item is looked up once (the (shop, inventory_item_id) index); the counts and the unknown items are
// read from that lookup rather than by scanning the shop's variants again.
const APPLY_LEVELS = `
WITH incoming AS (
  SELECT * FROM unnest($2::bigint[], $3::int[], $4::timestamptz[]) AS i(inventory_item_id, available, updated_at)
),
matched AS (
  SELECT i.*, v.id AS variant_id, v.available_quantity AS old_available, v.inventory_updated_at AS old_updated_at,
         (p.id IS NOT NULL AND p.deleted_at IS NULL AND ${selectedProductSql("p", "c")}) AS selected
    FROM incoming i
    JOIN product_variant v ON v.shop = $1 AND v.inventory_item_id = i.inventory_item_id AND v.deleted_at IS NULL
    JOIN merchant_connection c ON c.shop = v.shop
    LEFT JOIN product p ON p.shop = v.shop AND p.id = v.product_id
),
written AS (
  UPDATE product_variant v
     SET available_quantity = m.available, inventory_updated_at = m.updated_at
    FROM matched m
   WHERE v.shop = $1 AND v.id = m.variant_id AND m.selected
     AND (v.inventory_updated_at IS NULL OR v.inventory_updated_at <= m.updated_at)
     AND (v.available_quantity IS DISTINCT FROM m.available OR v.inventory_updated_at IS DISTINCT FROM m.updated_at)
  RETURNING (m.old_available IS DISTINCT FROM m.available) AS changed
)
SELECT (SELECT count(*)::int FROM written WHERE changed) AS changed,
       (SELECT count(*)::int FROM matched m WHERE m.selected AND m.old_updated_at > m.updated_at) AS stale,
       (SELECT count(*)::int FROM matched m WHERE NOT m.selected) AS not_selected,
       ARRAY(SELECT i.inventory_item_id::text FROM incoming i
              WHERE NOT EXISTS (SELECT 1 FROM matched m WHERE m.inventory_item_id = i.inventory_item_id)
              ORDER BY i.inventory_item_id) AS unknown`;

/** Keeps the latest level per item: one statement cannot update a row twice. */
function latestPerItem(levels: readonly InventoryLevelChange[]): InventoryLevelChange[] {
  const byItem = new Map<bigint, InventoryLevelChange>();
  for (const level of levels) {
    const kept = byItem.get(level.inventoryItemId);
    if (!kept || kept.updatedAt <= level.updatedAt) byItem.set(level.inventoryItemId, level);
  }
  return [...byItem.values()];
}

export async function applyInventoryLevels(
  db: Queryable,
  shop: string,
  levels: readonly InventoryLevelChange[],
): Promise<ApplyResult> {
  const batch = latestPerItem(levels);
  if (batch.length === 0) return { received: 0, changed: 0, stale: 0, notSelected: 0, unknownInventoryItemIds: [] };
  const { rows } = await db.query<{ changed: number; stale: number; not_selected: number; unknown: string[] }>(
    APPLY_LEVELS,
    [
      shop,
      batch.map((l) => l.inventoryItemId.toString()),
      batch.map((l) => l.available),
      batch.map((l) => l.updatedAt),
    ],
  );
  const [row] = rows;
  return {
    received: batch.length,
    changed: row.changed,
    stale: row.stale,
    notSelected: row.not_selected,
    unknownInventoryItemIds: row.unknown.map((id) => BigInt(id)),
  };
}
