-- A shop's bulk operations are of two kinds: the daily product export and the full read of its inventory levels
-- (app/inventory/inventory-read-operation.server.ts). Both may be in flight at once (up to 5 bulk queries per app and
-- shop in 2026-01), and the bulk_operations/finish webhook names only the operation: its row says which check takes
-- it, and the product sync never adopts, ingests or shows an inventory read as an export. Every existing row is a
-- product export.
CREATE TYPE "BulkOperationKind" AS ENUM ('PRODUCT_EXPORT', 'INVENTORY_READ');
ALTER TABLE "bulk_operation" ADD COLUMN "kind" "BulkOperationKind" NOT NULL DEFAULT 'PRODUCT_EXPORT';
