-- The hourly inventory apply rewrites available_quantity of ~10% of a shop's variants and `available` of their
-- levels. PostgreSQL does that as a HOT update (the new row version on the same page, no index entry touched) only
-- when no indexed column changes value and the page has room. Migration 20261128160000 INCLUDEd available_quantity
-- in product_variant's (shop, product_id) index, so every stock change wrote a new entry into each of the table's
-- four indexes (0% HOT: npm run bench -- inventory). And since stock by location (20261201130000) catalog health's
-- out-of-stock count also reads inventory_tracked and inventory_policy, which that index never held: the merchants
-- page stopped using it and visited every variant's row instead.

-- 1. Room on each page for new row versions. Set before the column below, whose table rewrite applies it to the
-- rows already there; VACUUM (autovacuum after each run's changes) frees the old versions' space again.
ALTER TABLE "product_variant" SET (fillfactor = 90);
ALTER TABLE "inventory_level" SET (fillfactor = 90);

-- 2. What catalog health counts, as one stored column: the variant cannot be sold for lack of stock (tracked, not
-- sold past zero, a known quantity of zero or less: app/inventory/sellable.ts, whose test checks they agree). It
-- changes only when a quantity crosses zero, so an index may hold it: a change from 12 to 9 leaves it as it was and
-- stays a HOT update. The index then covers the merchants page's counts again (index-only), without the quantity.
ALTER TABLE "product_variant" ADD COLUMN "out_of_stock" BOOLEAN NOT NULL GENERATED ALWAYS AS (
  coalesce("available_quantity" <= 0, false) AND "inventory_tracked" AND "inventory_policy" = 'DENY'
) STORED;

DROP INDEX "product_variant_shop_product_id_idx";
CREATE INDEX "product_variant_shop_product_id_idx" ON "product_variant"("shop", "product_id") INCLUDE ("deleted_at", "out_of_stock");

-- 3. The marketplace's stock of many items in one set-based read (one call and one index scan for a page of items,
-- where marketplace_available() per item cost an SQL function call, and another for its locations, per item), and
-- marketplace_available() of one item defined by it: one definition (docs/decisions/008). An item with no level at
-- the marketplace's locations has no row (its quantity is NULL); one known there but not stocked sums to 0.
CREATE FUNCTION marketplace_stock(p_shop text, p_items bigint[])
RETURNS TABLE (inventory_item_id bigint, available integer, updated_at timestamptz) LANGUAGE sql STABLE AS $$
  SELECT l.inventory_item_id, coalesce(sum(l.available), 0)::integer, max(l.updated_at)
    FROM inventory_level l
   WHERE l.shop = p_shop AND l.inventory_item_id = ANY (p_items) AND l.location_id = ANY (marketplace_location_ids(p_shop))
   GROUP BY l.inventory_item_id
$$;

CREATE OR REPLACE FUNCTION marketplace_available(p_shop text, p_item bigint) RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT s.available FROM marketplace_stock(p_shop, ARRAY[p_item]) s
$$;
