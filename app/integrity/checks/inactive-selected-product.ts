import { selectedProductSql } from "~/merchants/selection.server";
import type { RepairCheck } from "../check";

// A selected product that is ACTIVE in Shopify and not deleted belongs on the marketplace; if it is not listed,
// something else left it wrong (the plan's "should be active but aren't"). The selection is a join, so an empty
// selection is no rows rather than the plan's `IN ()` syntax error.
export const inactiveSelectedProduct: RepairCheck = {
  name: "inactive_selected_product",
  action: "repair",
  entityType: "product",
  table: "product",
  description: "Selected products that are ACTIVE in Shopify but not listed are listed again.",
  candidates: `
    SELECT p.id, to_jsonb(p) AS before, 'selected and ACTIVE in Shopify but not listed' AS message
      FROM product p
      JOIN merchant_connection c ON c.shop = p.shop
     WHERE p.shop = :shop AND p.deleted_at IS NULL AND p.status = 'ACTIVE' AND NOT p.listed
       AND ${selectedProductSql("p", "c")}
       FOR UPDATE OF p`,
  set: "listed = true",
};
