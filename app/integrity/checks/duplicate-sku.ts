import type { FlagCheck } from "../check";
import { SELECTED_VARIANTS_FROM, VARIANT_EVIDENCE } from "./selected-variants";

// A SKU identifies an article for the marketplace's order routing: two listed variants of one shop sharing it
// is ambiguous. Which one is right is the merchant's call, so every variant of the group is flagged.
// The groups are found on (id, sku) alone; the evidence is built only for the few variants in them.
export const duplicateSku: FlagCheck = {
  name: "duplicate_sku",
  action: "flag",
  entityType: "variant",
  description: "Variants of one shop that share a SKU are flagged.",
  candidates: `
    SELECT v.id, ${VARIANT_EVIDENCE} AS before,
           'SKU ' || quote_literal(d.sku) || ' is shared by ' || d.sharing || ' variants' AS message
      FROM (SELECT v.id, v.sku, count(*) OVER (PARTITION BY v.sku) AS sharing
              FROM ${SELECTED_VARIANTS_FROM}
               AND v.sku IS NOT NULL AND btrim(v.sku) <> '') d
      JOIN product_variant v ON v.shop = :shop AND v.id = d.id
      JOIN product p ON p.shop = v.shop AND p.id = v.product_id
     WHERE d.sharing > 1`,
};
