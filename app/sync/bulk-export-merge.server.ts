import type pg from "pg";
import { listingRuleSql } from "~/merchants/selection.server";

// Stage 2 of the ingest: merges the staged export into product / product_variant, set-based, one transaction per
// batch of products together with all of their variants (so no product is ever half-applied), then, for a
// complete export only, soft-deletes what the export no longer contains, products and variants, in one last
// transaction. (Deleting a batch's absent variants inside each batch was measured: on a growing table with stale
// statistics the planner scanned product_variant once per batch, so it is done once, at the end.)
//
// Rules every statement keeps:
// - Unchanged rows are not rewritten (`IS DISTINCT FROM`): most rows of a daily sync are unchanged, and skipping
//   them is most of the speed of an update run. So `synced_at` is the time we last wrote a change from Shopify;
//   the connection's last_product_sync_at / last_complete_export_at say when the shop was last seen whole.
// - Never overwrite newer data: a row whose shopify_updated_at is later than the line's (a webhook applied a newer
//   version meanwhile) is kept. With `snapshotStartedAt` (when Shopify started building the export) a product
//   deleted by a webhook after that is not resurrected, and an object created after it is not soft-deleted.
// - Quantities are not the export's: ProductVariant.inventoryQuantity is the total over every location, not what the
//   marketplace sells (docs/decisions/008). A new variant gets marketplace_stock() from the levels already read
//   (the inventory sync stores levels of items it does not know yet); a known one keeps its quantity unless its
//   inventory item changed. Tracking and inventory policy are the export's (no other path reads them in bulk).
// - `selected` is the merchant's choice and is never touched here; `listed` follows it, by the one listing rule of
//   app/merchants/selection.server.ts: (selected OR selection_mode = ALL) AND status = ACTIVE AND not deleted.

export interface MergeContext {
  shop: string;
  /** The shop lists every product (selection_mode ALL) rather than only the selected ones. */
  listsAllProducts: boolean;
  now: Date;
  snapshotStartedAt: Date | null;
}

export interface BatchResult {
  productsWritten: number;
  variantsWritten: number;
}

// A product merged here is not deleted (the merge clears deleted_at); $2 says whether the shop lists everything.
const LISTED_WHEN_NEW = listingRuleSql({
  listsAll: "$2::boolean",
  chosen: "false",
  status: "s.status",
  deletedAt: "NULL",
});
const LISTED_WHEN_MERGED = listingRuleSql({
  listsAll: "$2::boolean",
  chosen: "p.selected",
  status: "excluded.status",
  deletedAt: "NULL",
});

const MERGE_PRODUCTS = `
INSERT INTO product AS p (shop, id, title, handle, vendor, product_type, status, tags, selected, listed,
                          shopify_updated_at, synced_at, deleted_at, export_hash)
SELECT $1, s.id, s.title, s.handle, s.vendor, s.product_type, s.status, s.tags, false,
       ${LISTED_WHEN_NEW}, s.updated_at, $3, NULL, s.hash
  FROM (SELECT id, title, handle, vendor, product_type, status::"ProductStatus" AS status, tags, updated_at, hash
          FROM bulk_raw_line WHERE kind = 'P' AND ord BETWEEN $5 AND $6) s
ON CONFLICT (shop, id) DO UPDATE SET
  title = excluded.title, handle = excluded.handle, vendor = excluded.vendor, product_type = excluded.product_type,
  status = excluded.status, tags = excluded.tags,
  listed = ${LISTED_WHEN_MERGED},
  shopify_updated_at = excluded.shopify_updated_at, webhook_triggered_at = NULL, synced_at = excluded.synced_at,
  deleted_at = NULL, export_hash = excluded.export_hash
-- export_hash too: a row equal to its line but without the line's hash (written by a webhook, or before hashes
-- existed) is written once more, so the next run recognises it unchanged.
WHERE (p.title, p.handle, p.vendor, p.product_type, p.status, p.tags, p.shopify_updated_at, p.deleted_at, p.listed,
       p.export_hash)
      IS DISTINCT FROM
      (excluded.title, excluded.handle, excluded.vendor, excluded.product_type, excluded.status, excluded.tags,
       excluded.shopify_updated_at, NULL::timestamptz, ${LISTED_WHEN_MERGED}, excluded.export_hash)
  AND (p.shopify_updated_at IS NULL OR excluded.shopify_updated_at IS NULL
       OR excluded.shopify_updated_at > p.shopify_updated_at
       -- the same second: not over a webhook Shopify emitted after the snapshot began (it saw a later update)
       OR (excluded.shopify_updated_at = p.shopify_updated_at
           AND NOT ($4::timestamptz IS NOT NULL AND p.webhook_triggered_at IS NOT NULL AND p.webhook_triggered_at >= $4::timestamptz)))
  AND ($4::timestamptz IS NULL OR p.deleted_at IS NULL OR p.deleted_at < $4::timestamptz)`;

// A known variant keeps the quantity the inventory paths gave it, unless it now has another inventory item.
const KEPT_QUANTITY = `CASE WHEN v.inventory_item_id IS NOT DISTINCT FROM excluded.inventory_item_id
                            THEN v.available_quantity ELSE excluded.available_quantity END`;

const MERGE_VARIANTS = `
INSERT INTO product_variant AS v (shop, id, product_id, title, sku, price, compare_at_price, inventory_item_id,
                                  available_quantity, inventory_tracked, inventory_policy, shopify_updated_at,
                                  synced_at, deleted_at, export_hash)
SELECT $1, s.id, s.product_id, s.title, s.sku, s.price, s.compare_at_price, s.inventory_item_id, stock.available,
       coalesce(s.tracked, true), coalesce(s.inventory_policy, 'DENY'), s.updated_at, $2, NULL, s.hash
  FROM (SELECT id, product_id, title, sku, round(price, 2)::numeric(14,2) AS price,
               round(compare_at_price, 2)::numeric(14,2) AS compare_at_price, inventory_item_id, tracked,
               inventory_policy::"InventoryPolicy" AS inventory_policy, updated_at, hash
          FROM bulk_raw_line WHERE kind = 'V' AND ord BETWEEN $4 AND $5) s
  -- the batch's stock in one call and one scan of inventory_level, not a marketplace_available() call per variant
  LEFT JOIN marketplace_stock($1, ARRAY(SELECT b.inventory_item_id FROM bulk_raw_line b
                                         WHERE b.kind = 'V' AND b.ord BETWEEN $4 AND $5
                                           AND b.inventory_item_id IS NOT NULL)) stock
         ON stock.inventory_item_id = s.inventory_item_id
ON CONFLICT (shop, id) DO UPDATE SET
  product_id = excluded.product_id, title = excluded.title, sku = excluded.sku, price = excluded.price,
  compare_at_price = excluded.compare_at_price, inventory_item_id = excluded.inventory_item_id,
  available_quantity = ${KEPT_QUANTITY}, inventory_tracked = excluded.inventory_tracked,
  inventory_policy = excluded.inventory_policy,
  shopify_updated_at = excluded.shopify_updated_at, synced_at = excluded.synced_at, deleted_at = NULL,
  export_hash = excluded.export_hash
WHERE (v.product_id, v.title, v.sku, v.price, v.compare_at_price, v.inventory_item_id, v.available_quantity,
       v.inventory_tracked, v.inventory_policy, v.shopify_updated_at, v.deleted_at, v.export_hash)
      IS DISTINCT FROM
      (excluded.product_id, excluded.title, excluded.sku, excluded.price, excluded.compare_at_price,
       excluded.inventory_item_id, ${KEPT_QUANTITY}, excluded.inventory_tracked, excluded.inventory_policy,
       excluded.shopify_updated_at, NULL::timestamptz, excluded.export_hash)
  AND (v.shopify_updated_at IS NULL OR excluded.shopify_updated_at IS NULL
       OR excluded.shopify_updated_at >= v.shopify_updated_at)
  AND ($3::timestamptz IS NULL OR v.deleted_at IS NULL OR v.deleted_at < $3::timestamptz)`;

/** Absent from the export, not created or updated after the snapshot began. */
const ABSENT_GUARD = (alias: string) =>
  `($3::timestamptz IS NULL OR ${alias}.shopify_updated_at IS NULL OR ${alias}.shopify_updated_at < $3::timestamptz)`;

/** Merges products ord in [firstOrd, lastOrd] and their variants; the caller owns the transaction. */
export async function mergeBatch(
  client: pg.PoolClient,
  context: MergeContext,
  firstOrd: number,
  lastOrd: number,
): Promise<BatchResult> {
  const params = [context.shop, context.listsAllProducts, context.now, context.snapshotStartedAt, firstOrd, lastOrd];
  const products = await client.query(MERGE_PRODUCTS, params);
  const variants = await client.query(MERGE_VARIANTS, [
    context.shop,
    context.now,
    context.snapshotStartedAt,
    firstOrd,
    lastOrd,
  ]);
  return { productsWritten: products.rowCount ?? 0, variantsWritten: variants.rowCount ?? 0 };
}

export interface AbsentDeletionResult {
  productsDeleted: number;
  variantsDeleted: number;
}

/**
 * After a complete export: soft-deletes the shop's products and variants the export does not contain (a deleted
 * product's variants go with it). Soft, so a wrong export is repaired by the next good one.
 */
export async function softDeleteAbsent(client: pg.PoolClient, context: MergeContext): Promise<AbsentDeletionResult> {
  // Seen: a staged line (changed or damaged) of it or, for a product, of one of its variants; or a row of known_line,
  // the rows whose line the file held unchanged (never staged), a variant's also proving its product.
  const products = await client.query(
    `UPDATE product p SET deleted_at = $2, listed = false, synced_at = $2
      WHERE p.shop = $1 AND p.deleted_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM bulk_raw_line r WHERE r.kind IN ('P', 'p') AND r.id = p.id)
        AND NOT EXISTS (SELECT 1 FROM bulk_raw_line r WHERE r.kind IN ('V', 'v') AND r.product_id = p.id)
        AND NOT EXISTS (SELECT 1 FROM known_line k WHERE k.kind = 'P' AND k.id = p.id)
        AND NOT EXISTS (SELECT 1 FROM known_line k WHERE k.kind = 'V' AND k.product_id = p.id)
        AND ${ABSENT_GUARD("p")}`,
    [context.shop, context.now, context.snapshotStartedAt],
  );
  // Two statements rather than one with OR, so each is a plain anti-join / join instead of per-row subplans.
  const absentVariants = await client.query(
    `UPDATE product_variant v SET deleted_at = $2, synced_at = $2
      WHERE v.shop = $1 AND v.deleted_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM bulk_raw_line r WHERE r.kind IN ('V', 'v') AND r.id = v.id)
        AND NOT EXISTS (SELECT 1 FROM known_line k WHERE k.kind = 'V' AND k.id = v.id)
        AND ${ABSENT_GUARD("v")}`,
    [context.shop, context.now, context.snapshotStartedAt],
  );
  // A variant does not outlive its product (just soft-deleted, or deleted earlier). Driven by the deleted products
  // (few) through the (shop, product_id) index: as a join, with the statistics of a fresh first import (a handful of
  // rows), the planner walked all of the shop's variants and probed product for each (1.4 s at 30,000 products).
  const variantsOfDeleted = await client.query(
    `UPDATE product_variant v SET deleted_at = $2, synced_at = $2
      WHERE v.shop = $1
        AND v.product_id = ANY (ARRAY(SELECT p.id FROM product p WHERE p.shop = $1 AND p.deleted_at IS NOT NULL))
        AND v.deleted_at IS NULL AND ${ABSENT_GUARD("v")}`,
    [context.shop, context.now, context.snapshotStartedAt],
  );
  const variants = { rowCount: (absentVariants.rowCount ?? 0) + (variantsOfDeleted.rowCount ?? 0) };
  return { productsDeleted: products.rowCount ?? 0, variantsDeleted: variants.rowCount ?? 0 };
}
