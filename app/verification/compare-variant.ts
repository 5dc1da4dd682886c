import { isSellable } from "~/inventory/sellable";
import type { VerifiedVariantNode } from "~/shopify-admin/operations";
import { toGid } from "~/shopify-admin/gid";

// One variant, the marketplace's row against what Shopify answered for it: the fields that differ, each with both
// values. Pure, so every rule is tested without a database. Sellable quantity follows app/inventory/sellable.ts: a
// variant Shopify does not count (untracked) or sells past zero (CONTINUE) sells whatever its quantity, so for
// those only "not limited" is compared; otherwise the sum of `available` at the marketplace's locations.

/** The marketplace's copy of one listed variant (product_variant and its product). */
export interface MarketplaceVariant {
  variantId: bigint;
  productId: bigint;
  title: string | null;
  price: string | null;
  compareAtPrice: string | null;
  productTitle: string | null;
  productStatus: string | null;
  inventoryItemId: bigint | null;
  availableQuantity: number | null;
  inventoryTracked: boolean;
  inventoryPolicy: "DENY" | "CONTINUE";
  /** Our clock: when a webhook or an export last wrote the variant's or its product's row (synced_at). */
  writtenAt: Date | null;
  /** When the latest of the item's stored levels was seen (observed_at: a webhook's X-Shopify-Triggered-At, a read). */
  levelsObservedAt: Date | null;
}

export type VerifiedField =
  "deleted" | "price" | "compareAtPrice" | "productStatus" | "productTitle" | "title" | "sellableQuantity";

/** "not limited": untracked or continue-selling, so the quantity does not limit sales. */
export type SellableQuantity = number | "not limited";

export interface FieldMismatch {
  field: VerifiedField;
  marketplace: string | number | boolean | null;
  shopify: string | number | boolean | null;
}

export interface VariantComparison {
  mismatches: FieldMismatch[];
  /** The item's levels page did not hold every marketplace location: the quantity was not compared. */
  quantityUnverified: boolean;
}

/** Decimal strings compared as decimals without floats: "10.5", "10.50" and "10.500" are the same amount. */
export function sameAmount(a: string | null, b: string | null): boolean {
  return normalizeAmount(a) === normalizeAmount(b);
}

function normalizeAmount(value: string | null): string | null {
  if (value === null || value === "") return null;
  const [whole, fraction = ""] = value.trim().replace(/^\+/, "").split(".");
  const trimmedFraction = fraction.replace(/0+$/, "");
  const trimmedWhole = whole.replace(/^(-?)0+(?=\d)/, "$1");
  return trimmedFraction ? `${trimmedWhole}.${trimmedFraction}` : trimmedWhole;
}

/** The marketplace's sellable quantity of a variant as stored (an unknown quantity sells nothing). */
export function marketplaceSellable(
  variant: Pick<MarketplaceVariant, "inventoryTracked" | "inventoryPolicy" | "availableQuantity">,
): SellableQuantity {
  const limited = !isSellable({ ...variant, availableQuantity: 0 });
  return limited ? (variant.availableQuantity ?? 0) : "not limited";
}

/** Shopify's sellable quantity at the marketplace's locations; null when the levels page did not hold them all. */
export function shopifySellable(node: VerifiedVariantNode, locationIds: readonly bigint[]): SellableQuantity | null {
  const tracked = node.inventoryItem.tracked;
  if (!tracked || node.inventoryPolicy === "CONTINUE") return "not limited";
  const wanted = new Set(locationIds.map((id) => toGid("Location", id)));
  const levels = node.inventoryItem.inventoryLevels;
  let seen = 0;
  let sum = 0;
  for (const level of levels.nodes) {
    if (!wanted.has(level.location.id)) continue;
    seen++;
    sum += level.quantities.find((q) => q.name === "available")?.quantity ?? 0;
  }
  // Not stocked at a marketplace location: nothing to sell there. Unknown only if the page was cut short.
  if (seen < wanted.size && levels.pageInfo.hasNextPage) return null;
  return sum;
}

export function compareVariant(
  marketplace: MarketplaceVariant,
  node: VerifiedVariantNode | null,
  locationIds: readonly bigint[],
): VariantComparison {
  if (!node)
    return { mismatches: [{ field: "deleted", marketplace: false, shopify: true }], quantityUnverified: false };
  const mismatches: FieldMismatch[] = [];
  if (!sameAmount(marketplace.price, node.price))
    mismatches.push({ field: "price", marketplace: marketplace.price, shopify: node.price });
  if (!sameAmount(marketplace.compareAtPrice, node.compareAtPrice)) {
    mismatches.push({ field: "compareAtPrice", marketplace: marketplace.compareAtPrice, shopify: node.compareAtPrice });
  }
  if (marketplace.productStatus !== node.product.status) {
    mismatches.push({ field: "productStatus", marketplace: marketplace.productStatus, shopify: node.product.status });
  }
  if (marketplace.productTitle !== node.product.title) {
    mismatches.push({ field: "productTitle", marketplace: marketplace.productTitle, shopify: node.product.title });
  }
  if (marketplace.title !== node.title)
    mismatches.push({ field: "title", marketplace: marketplace.title, shopify: node.title });
  const shopify = shopifySellable(node, locationIds);
  if (shopify !== null) {
    const ours = marketplaceSellable(marketplace);
    if (ours !== shopify) mismatches.push({ field: "sellableQuantity", marketplace: ours, shopify });
  }
  return { mismatches, quantityUnverified: shopify === null };
}

/** Fields only the product paths write (the export, products/* webhooks): repaired by a product sync. */
export const PRODUCT_FIELDS: ReadonlySet<VerifiedField> = new Set([
  "deleted",
  "price",
  "compareAtPrice",
  "productStatus",
  "productTitle",
  "title",
]);

/**
 * When a difference may be a change still on its way rather than one the marketplace missed: the variant's read
 * began at `askedAt` and its answer came in at `readAt`.
 */
export interface InFlightWindow {
  askedAt: Date;
  readAt: Date;
  /** VERIFICATION_IN_FLIGHT_GRACE_SECONDS: how long a change in Shopify may take to reach the marketplace. */
  graceMs: number;
}

/**
 * Splits a variant's differences into the ones that count and the ones in flight. A difference is in flight when
 * Shopify changed that side of the variant within the grace period before the answer (its webhook may be queued or
 * being processed: Shopify sends webhooks seconds to minutes after the change), or when the marketplace's row of it
 * was written after the read began (a webhook landed between the question and the comparison, so the two sides are
 * from different moments). In flight is re-checked by the next run, not counted and not repaired: the webhook is the
 * repair. A deletion (a null node) has no Shopify time: it is in flight only by the second rule.
 */
export function setAsideInFlight(
  marketplace: Pick<MarketplaceVariant, "writtenAt" | "levelsObservedAt">,
  node: VerifiedVariantNode | null,
  mismatches: readonly FieldMismatch[],
  locationIds: readonly bigint[],
  window: InFlightWindow,
): { counted: FieldMismatch[]; inFlight: FieldMismatch[] } {
  const recent = window.readAt.getTime() - window.graceMs;
  const writtenSinceAsked = (at: Date | null) => at !== null && at.getTime() >= window.askedAt.getTime();
  const productChangedAt = node
    ? Math.max(Date.parse(node.updatedAt), Date.parse(node.product.updatedAt))
    : Number.NEGATIVE_INFINITY;
  const wanted = new Set(locationIds.map((id) => toGid("Location", id)));
  const levelsChangedAt = node
    ? Math.max(
        Number.NEGATIVE_INFINITY,
        ...node.inventoryItem.inventoryLevels.nodes
          .filter((level) => wanted.has(level.location.id))
          .map((level) => Date.parse(level.updatedAt)),
      )
    : Number.NEGATIVE_INFINITY;
  const counted: FieldMismatch[] = [];
  const inFlight: FieldMismatch[] = [];
  for (const mismatch of mismatches) {
    const quantity = mismatch.field === "sellableQuantity";
    const changedInShopify = (quantity ? levelsChangedAt : productChangedAt) > recent;
    const writtenSince = writtenSinceAsked(quantity ? marketplace.levelsObservedAt : marketplace.writtenAt);
    (changedInShopify || writtenSince ? inFlight : counted).push(mismatch);
  }
  return { counted, inFlight };
}
