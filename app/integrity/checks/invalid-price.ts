import type { FlagCheck } from "../check";
import { SELECTED_VARIANTS_FROM, VARIANT_EVIDENCE } from "./selected-variants";

// Never auto-fixed: only the merchant knows the right price. The run raises one alert listing them.
export const invalidPrice: FlagCheck = {
  name: "invalid_price",
  action: "flag",
  entityType: "variant",
  description: "Variants with a missing, zero or negative price are flagged for review (one alert per run).",
  candidates: `
    SELECT v.id, ${VARIANT_EVIDENCE} AS before,
           CASE WHEN v.price IS NULL THEN 'price is missing' ELSE 'price is ' || v.price END AS message
      FROM ${SELECTED_VARIANTS_FROM}
       AND (v.price IS NULL OR v.price <= 0)`,
};
