import type { RepairCheck } from "../check";

// Variants whose product is missing or deleted. Soft removal (deleted_at), never DELETE: the finding keeps the row
// as it was and the row can be restored. Scoped by `v.shop = :shop`: the original plan removed the orphans of
// every merchant while checking one.
//
// Variants absent from the latest complete export are removed by the ingest itself, in the transaction that
// merges the export (app/sync/bulk-export-merge.server.ts). This check cannot find them again afterwards from
// synced_at: the ingest skips unchanged rows, so synced_at is "last changed", not "last seen", and "synced_at older
// than last_complete_export_at while the product was in it" would remove every unchanged variant of a product whose
// title changed. A dependable test needs a per-row "seen in export" marker, which the ingest does not keep.
export const orphanedVariant: RepairCheck = {
  name: "orphaned_variant",
  action: "repair",
  entityType: "variant",
  table: "product_variant",
  description: "Variants whose product is missing or deleted are soft-removed.",
  candidates: `
    SELECT v.id, to_jsonb(v) AS before,
           CASE WHEN p.id IS NULL THEN 'parent product ' || v.product_id || ' does not exist'
                ELSE 'parent product ' || v.product_id || ' was deleted'
           END AS message
      FROM product_variant v
      JOIN merchant_connection c ON c.shop = v.shop
      LEFT JOIN product p ON p.shop = v.shop AND p.id = v.product_id
     WHERE v.shop = :shop AND v.deleted_at IS NULL
       AND (p.id IS NULL OR p.deleted_at IS NOT NULL)
       FOR UPDATE OF v`,
  set: "deleted_at = :now::timestamptz",
};
