import type { IntegrityCheck } from "../check";
import { compareAtBelowPrice } from "./compare-at-below-price";
import { deletedProductListed } from "./deleted-product-listed";
import { duplicateSku } from "./duplicate-sku";
import { inactiveSelectedProduct } from "./inactive-selected-product";
import { invalidPrice } from "./invalid-price";
import { missingSelectedProduct } from "./missing-selected-product";
import { negativeInventory } from "./negative-inventory";
import { orphanedVariant } from "./orphaned-variant";
import { staleProduct } from "./stale-product";

/**
 * Every check, in the order a run applies them: repairs of products before variants (a product unlisted or
 * deleted first makes its variants' state plain), repairs before flags (flags then see the repaired data).
 */
export const INTEGRITY_CHECKS: readonly IntegrityCheck[] = [
  deletedProductListed,
  orphanedVariant,
  inactiveSelectedProduct,
  missingSelectedProduct,
  invalidPrice,
  duplicateSku,
  negativeInventory,
  staleProduct,
  compareAtBelowPrice,
];
