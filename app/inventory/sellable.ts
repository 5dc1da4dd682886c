// When a variant can be sold on the marketplace, in one place. Shopify sells a variant whatever its quantity when
// its inventory item is not tracked (InventoryItem.tracked false: Shopify does not count it) or when it continues
// selling out of stock (ProductVariant.inventoryPolicy CONTINUE); otherwise only while the marketplace's locations
// have some available (product_variant.available_quantity, docs/decisions/008). PostgreSQL keeps the same rule for
// a known quantity as product_variant.out_of_stock, a generated column the catalog health counts read from an index
// (migration 20261201205000; tests/inventory/hot-updates.test.ts checks the two agree).

/** SQL: the quantity limits what can be sold (tracked, and not sold past zero). */
export function quantityLimitsSalesSql(variant: string): string {
  return `(${variant}.inventory_tracked AND ${variant}.inventory_policy = 'DENY')`;
}

/** SQL: the variant can be sold now. An unknown quantity (no level read yet) sells nothing. */
export function sellableSql(variant: string): string {
  return `(NOT ${quantityLimitsSalesSql(variant)} OR coalesce(${variant}.available_quantity, 0) > 0)`;
}

export function isSellable(variant: {
  inventoryTracked: boolean;
  inventoryPolicy: "DENY" | "CONTINUE";
  availableQuantity: number | null;
}): boolean {
  return !variant.inventoryTracked || variant.inventoryPolicy === "CONTINUE" || (variant.availableQuantity ?? 0) > 0;
}
