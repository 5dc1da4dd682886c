import { quantityLimitsSalesSql } from "~/inventory/sellable";
import type { FlagCheck } from "../check";
import { SELECTED_VARIANTS_FROM, VARIANT_EVIDENCE } from "./selected-variants";

// Shopify allows overselling into negative stock; the marketplace must not show it as available, and the
// merchant should know. Not repaired: the inventory sync keeps the number true to Shopify. A variant that sells
// past zero on purpose (inventoryPolicy CONTINUE) or whose stock Shopify does not count (untracked) is not flagged.
export const negativeInventory: FlagCheck = {
  name: "negative_inventory",
  action: "flag",
  entityType: "variant",
  description: "Variants with negative available inventory are flagged.",
  candidates: `
    SELECT v.id, ${VARIANT_EVIDENCE} AS before, 'available quantity is ' || v.available_quantity AS message
      FROM ${SELECTED_VARIANTS_FROM}
       AND v.available_quantity < 0 AND ${quantityLimitsSalesSql("v")}`,
};
