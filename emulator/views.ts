import type { LocationRecord, ShopState, VariantRecord } from "./store";

// Objects that have no record of their own in the store: an inventory item is its variant's, an inventory level
// is a (variant, location) pair. `kind` names the GraphQL type, for interfaces such as Node.

export interface InventoryItemView {
  kind: "InventoryItem";
  variant: VariantRecord;
}

export interface InventoryLevelView {
  kind: "InventoryLevel";
  variant: VariantRecord;
  location: LocationRecord;
}

export const inventoryItemView = (variant: VariantRecord): InventoryItemView => ({ kind: "InventoryItem", variant });

export const inventoryLevelView = (variant: VariantRecord, location: LocationRecord): InventoryLevelView => ({
  kind: "InventoryLevel",
  variant,
  location,
});

// Views are only made for stocked (variant, location) pairs, so the level exists.
export function levelOf(view: InventoryLevelView) {
  const level = view.variant.levels[view.location.index];
  if (!level)
    throw new Error(`Inventory item ${view.variant.inventoryItemId} is not stocked at location ${view.location.id}`);
  return level;
}

export interface ShopView {
  kind: "Shop";
  shop: ShopState;
}
