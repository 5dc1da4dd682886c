-- InventoryItem.tracked as the inventory reads and webhooks last said it, kept with the item's levels: a variant that
-- first arrives by a products/* webhook (whose REST payload says nothing about tracking) takes it from here, as the
-- export takes it from its own line. NULL: not said yet.
ALTER TABLE "inventory_level" ADD COLUMN "tracked" BOOLEAN;
