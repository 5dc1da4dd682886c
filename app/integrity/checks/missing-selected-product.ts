import { selectedProductSql } from "~/merchants/selection.server";
import type { ProductSyncCheck } from "../check";

// A selected product whose data never arrived: the row exists only as the merchant's choice (Shopify's updatedAt
// was never received) or it has no live variant (every Shopify product has at least one). Only Shopify can fill
// it in, so the repair is a product sync of the shop.
export const missingSelectedProduct: ProductSyncCheck = {
  name: "missing_selected_product",
  action: "product-sync",
  entityType: "product",
  description: "Selected products whose data does not exist locally trigger a product sync of the shop.",
  candidates: `
    SELECT p.id, to_jsonb(p) AS before,
           CASE WHEN p.shopify_updated_at IS NULL THEN 'selected but never received from Shopify'
                ELSE 'selected but has no variants locally' END AS message
      FROM product p
      JOIN merchant_connection c ON c.shop = p.shop
     WHERE p.shop = :shop AND p.deleted_at IS NULL AND ${selectedProductSql("p", "c")}
       AND (p.shopify_updated_at IS NULL
            OR NOT EXISTS (SELECT 1 FROM product_variant v
                            WHERE v.shop = p.shop AND v.product_id = p.id AND v.deleted_at IS NULL))`,
};
