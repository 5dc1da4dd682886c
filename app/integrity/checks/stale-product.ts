import { selectedProductSql } from "~/merchants/selection.server";
import type { FlagCheck } from "../check";

// A selected product Shopify's data has not reached for `:staleAfterHours` may show outdated data. The ingest
// writes synced_at only when a product changed, so "last seen" is the later of its synced_at and the shop's last
// complete export (a live product was in it: a complete export soft-deletes what it does not contain).
// Flagged, not repaired: a failing product sync raises its own alert; this finds the products it keeps missing.
export const staleProduct: FlagCheck = {
  name: "stale_product",
  action: "flag",
  entityType: "product",
  description: "Selected products not synced for longer than the threshold are flagged.",
  candidates: `
    SELECT p.id,
           jsonb_build_object('title', p.title, 'status', p.status, 'synced_at', p.synced_at,
                              'last_complete_export_at', c.last_complete_export_at) AS before,
           'not seen in a sync since ' || GREATEST(p.synced_at, c.last_complete_export_at) AS message
      FROM product p
      JOIN merchant_connection c ON c.shop = p.shop
     WHERE p.shop = :shop AND p.deleted_at IS NULL AND ${selectedProductSql("p", "c")}
       AND GREATEST(p.synced_at, c.last_complete_export_at)
           < :now::timestamptz - make_interval(hours => :staleAfterHours::int)`,
};
