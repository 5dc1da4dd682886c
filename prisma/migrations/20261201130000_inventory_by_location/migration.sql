-- What the marketplace sells is the stock at the locations the merchant assigns to it, by default the shop's primary
-- location (docs/decisions/008-marketplace-stock-by-location.md). Every path that learns a quantity (the hourly
-- sync, inventory_levels/* webhooks, the daily reconciliation) writes the level of one location here; a variant's
-- available_quantity is then marketplace_available(): the sum over the marketplace's locations, one definition for all.

-- Empty: the primary location (default_location_id, which the inventory sync learns from Shopify).
ALTER TABLE "merchant_connection" ADD COLUMN "marketplace_location_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[];

CREATE TYPE "InventoryPolicy" AS ENUM ('DENY', 'CONTINUE');

-- InventoryItem.tracked false: Shopify does not count the stock; ProductVariant.inventoryPolicy CONTINUE: it sells past
-- zero. Either makes the variant sellable whatever its quantity (app/inventory/sellable.ts).
ALTER TABLE "product_variant"
  ADD COLUMN "inventory_tracked" BOOLEAN NOT NULL DEFAULT true,
  ADD COLUMN "inventory_policy" "InventoryPolicy" NOT NULL DEFAULT 'DENY';

-- One row per (item, marketplace location). available NULL: the item is not stocked there (inventory_levels/disconnect,
-- or absent from a full read) as of updated_at, kept so a late update older than the disconnection cannot revive it.
-- observed_at (X-Shopify-Triggered-At of a webhook, the time of a read) orders two versions with the same updated_at:
-- Shopify does not promise that an order moves a level's updatedAt, so updated_at alone cannot say which is newer.
CREATE TABLE "inventory_level" (
    "shop" TEXT NOT NULL,
    "inventory_item_id" BIGINT NOT NULL,
    "location_id" BIGINT NOT NULL,
    "available" INTEGER,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "observed_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "inventory_level_pkey" PRIMARY KEY ("shop","inventory_item_id","location_id")
);
CREATE INDEX "inventory_level_shop_location_id_idx" ON "inventory_level"("shop", "location_id");

-- The locations whose stock the marketplace sells: the assigned ones, else the primary location (when known).
CREATE FUNCTION marketplace_location_ids(p_shop text) RETURNS bigint[] LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN coalesce(cardinality(c.marketplace_location_ids), 0) > 0 THEN c.marketplace_location_ids
              ELSE array_remove(ARRAY[c.default_location_id], NULL) END
    FROM merchant_connection c WHERE c.shop = p_shop
$$;

-- What the marketplace can sell of an item: the sum of `available` at the marketplace's locations; 0 when the item
-- is known there but not stocked; NULL when no level of it at those locations has been read yet.
CREATE FUNCTION marketplace_available(p_shop text, p_item bigint) RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN count(*) = 0 THEN NULL ELSE coalesce(sum(l.available), 0)::integer END
    FROM inventory_level l
   WHERE l.shop = p_shop AND l.inventory_item_id = p_item AND l.location_id = ANY (marketplace_location_ids(p_shop))
$$;

-- Quantities stored before this migration mixed two meanings (one location's available, and Shopify's total over
-- every location): the next hourly run of every shop reads all levels again, into inventory_level.
UPDATE "merchant_connection" SET "last_inventory_sync_at" = NULL;
