import type { FlagCheck } from "../check";
import { SELECTED_VARIANTS_FROM, VARIANT_EVIDENCE } from "./selected-variants";

// A SKU identifies an article for the marketplace's order routing: two listed variants of one shop sharing it
// is ambiguous. Which one is right is the merchant's call, so every variant of the group is flagged.
export const duplicateSku: FlagCheck = {
  name: "duplicate_sku",
  action: "flag",
  entityType: "variant",
  description: "Variants of one shop that share a SKU are flagged.",
  candidates: `
    SELECT d.id, d.before, 'SKU ' || quote_literal(d.sku) || ' is shared by ' || d.sharing || ' variants' AS message
      FROM (SELECT v.id, v.sku, ${VARIANT_EVIDENCE} AS before, count(*) OVER (PARTITION BY v.sku) AS sharing
              FROM ${SELECTED_VARIANTS_FROM}
               AND v.sku IS NOT NULL AND btrim(v.sku) <> '') d
     WHERE d.sharing > 1`,
};
