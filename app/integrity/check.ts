// What an integrity check is. Each check is one named, merchant-scoped, set-based query of candidates; the runner
// (run-check.server.ts) wraps it into a single statement that repairs or flags them and writes the findings.
//
// A check's `candidates` query:
// - returns one row per entity: `id` (the product's or variant's Shopify id), `before` (jsonb: the row, or the
//   evidence a reviewer needs) and `message` (text: why it was found);
// - is scoped with `:shop` (and must join merchant_connection, so a shop without a connection has no candidates);
// - may use `:now::timestamptz` and `:staleAfterHours::int`;
// - for repairs, locks the rows it will change (`FOR UPDATE OF <alias>`): a concurrent run then re-checks them
//   after this one commits and skips what was already repaired.

export type CheckName =
  | "deleted_product_listed"
  | "orphaned_variant"
  | "inactive_selected_product"
  | "missing_selected_product"
  | "invalid_price"
  | "duplicate_sku"
  | "negative_inventory"
  | "stale_product"
  | "compare_at_below_price";

/**
 * What a merchant reads for a finding of each check (their home page in Shopify admin): what is wrong with their
 * product, not the check's name. A Record over every check, so a new check cannot reach merchants unworded.
 */
export const FINDING_WORDING: Record<CheckName, string> = {
  deleted_product_listed: "Deleted in Shopify but still listed",
  orphaned_variant: "Variant without its product",
  inactive_selected_product: "Selected but not active on the marketplace",
  missing_selected_product: "Selected but not received from Shopify yet",
  invalid_price: "Price missing or not positive",
  duplicate_sku: "SKU used by more than one variant",
  negative_inventory: "Negative inventory",
  stale_product: "Not updated from Shopify for too long",
  compare_at_below_price: "Compare-at price below the price",
};

export type EntityType = "product" | "variant";

interface CheckBase {
  name: CheckName;
  entityType: EntityType;
  /** One sentence for people: what is wrong and what the check does about it. */
  description: string;
  candidates: string;
}

/** Changes the rows in place (soft removal, listing state) and records each change as a FIXED finding. */
export interface RepairCheck extends CheckBase {
  action: "repair";
  table: "product" | "product_variant";
  /** The SET list applied to each candidate row, e.g. `deleted_at = :now::timestamptz`. */
  set: string;
}

/** Needs a person: each candidate is a FLAGGED finding (once, until it is resolved or goes away). */
export interface FlagCheck extends CheckBase {
  action: "flag";
}

/** Repaired by fetching from Shopify again: a product sync of the shop is queued; each candidate is a FIXED finding. */
export interface ProductSyncCheck extends CheckBase {
  action: "product-sync";
}

export type IntegrityCheck = RepairCheck | FlagCheck | ProductSyncCheck;
