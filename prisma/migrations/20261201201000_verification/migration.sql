-- Verification (app/verification): a rotating sample of each shop's variants is read back from Shopify every hour
-- and compared with the marketplace's rows. Its runs are sync events of their own type; verified_at is when a
-- variant was last read back, the rotation's key (least recently verified first, never verified before all).
ALTER TYPE "SyncEventType" ADD VALUE 'VERIFICATION';

ALTER TABLE "product_variant" ADD COLUMN "verified_at" TIMESTAMPTZ(3);
