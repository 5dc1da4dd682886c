import type { FlagCheck } from "../check";
import { SELECTED_VARIANTS_FROM, VARIANT_EVIDENCE } from "./selected-variants";

// A compare-at price below the price would show a "discount" that is a mark-up.
export const compareAtBelowPrice: FlagCheck = {
  name: "compare_at_below_price",
  action: "flag",
  entityType: "variant",
  description: "Variants whose compare-at price is below their price are flagged.",
  candidates: `
    SELECT v.id, ${VARIANT_EVIDENCE} AS before,
           'compare-at price ' || v.compare_at_price || ' is below the price ' || v.price AS message
      FROM ${SELECTED_VARIANTS_FROM}
       AND v.compare_at_price IS NOT NULL AND v.price IS NOT NULL AND v.compare_at_price < v.price`,
};
