import { selectedProductSql } from "~/merchants/selection.server";

// The variants the marketplace shows or is about to show: live variants of live, selected products of `:shop`.
// The review flags look only here; problems of products the merchant does not list are not the marketplace's.
export const SELECTED_VARIANTS_FROM = `
      product_variant v
      JOIN product p ON p.shop = v.shop AND p.id = v.product_id
      JOIN merchant_connection c ON c.shop = v.shop
     WHERE v.shop = :shop AND v.deleted_at IS NULL AND p.deleted_at IS NULL AND ${selectedProductSql("p", "c")}`;

/** The evidence a reviewer needs about a variant, kept small because alerts list it. */
export const VARIANT_EVIDENCE = `jsonb_build_object(
      'product_id', v.product_id, 'product_title', p.title, 'variant_title', v.title, 'sku', v.sku,
      'price', v.price, 'compare_at_price', v.compare_at_price, 'available_quantity', v.available_quantity)`;
