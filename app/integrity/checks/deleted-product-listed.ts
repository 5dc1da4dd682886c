import type { RepairCheck } from "../check";

// A product deleted in Shopify must leave the marketplace: the product sync soft-deletes it, and whatever left it
// listed (a missed webhook, a crash between two writes) is repaired here.
export const deletedProductListed: RepairCheck = {
  name: "deleted_product_listed",
  action: "repair",
  entityType: "product",
  table: "product",
  description: "Products deleted in Shopify but still listed on the marketplace are unlisted.",
  candidates: `
    SELECT p.id, to_jsonb(p) AS before, 'deleted in Shopify but still listed' AS message
      FROM product p
      JOIN merchant_connection c ON c.shop = p.shop
     WHERE p.shop = :shop AND p.deleted_at IS NOT NULL AND p.listed
       FOR UPDATE OF p`,
  set: "listed = false",
};
