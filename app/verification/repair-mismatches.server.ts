import { pgPool } from "~/db.server";
import { applyInventoryLevels } from "~/inventory/apply-inventory-levels.server";
import type { InventoryLevelChange } from "~/inventory/inventory-level";
import { numericIdOf, toGid } from "~/shopify-admin/gid";
import type { VerifiedVariantNode } from "~/shopify-admin/operations";
import { PRODUCT_FIELDS, type FieldMismatch } from "./compare-variant";

// What a verification does with a variant that differs from Shopify: a finding (integrity_finding, the one place for
// findings: check `truth_mismatch`, before = the marketplace's values, after = Shopify's) and a repair through the
// paths that write those fields anyway, never a write of its own:
// - the sellable quantity (and tracking / inventory policy): Shopify's levels of the item, as just read, applied by
//   applyInventoryLevels, the function of the inventory sync and webhooks, with its guard against older data;
// - product fields (price, compare-at price, title, status) and deletion: a product sync of the shop is queued (the
//   caller does, once per run), which is how the integrity check's Shopify-side repairs work too.
// Either way the finding is FIXED: the repair is made or queued, and the next verification of the variant shows
// whether it held.

export const TRUTH_MISMATCH_CHECK = "truth_mismatch";

export interface Mismatch {
  variantId: bigint;
  inventoryItemId: bigint | null;
  node: VerifiedVariantNode | null;
  differences: FieldMismatch[];
}

export interface RepairResult {
  findings: number;
  levelsApplied: number;
  productSyncNeeded: boolean;
}

export async function recordAndRepair(options: {
  shop: string;
  runId: string;
  mismatches: readonly Mismatch[];
  locationIds: readonly bigint[];
  now: Date;
  /** When Shopify was asked: the levels' observed_at, which breaks updated_at ties with webhooks. */
  observedAt: Date;
}): Promise<RepairResult> {
  const { shop, runId, mismatches, locationIds, now, observedAt } = options;
  if (mismatches.length === 0) return { findings: 0, levelsApplied: 0, productSyncNeeded: false };

  const levels: InventoryLevelChange[] = [];
  let productSyncNeeded = false;
  const messages: string[] = [];
  for (const mismatch of mismatches) {
    const fields = mismatch.differences.map((d) => d.field);
    const viaProductSync = fields.some((f) => PRODUCT_FIELDS.has(f));
    const viaLevels = fields.includes("sellableQuantity") && mismatch.node !== null;
    productSyncNeeded ||= viaProductSync;
    if (viaLevels) levels.push(...levelsOf(mismatch.node!, locationIds, observedAt));
    const repairs = [
      viaLevels ? "Shopify's levels applied" : null,
      viaProductSync ? "product sync queued" : null,
    ].filter(Boolean);
    messages.push(`${fields.join(", ")} differ from Shopify; ${repairs.join(", ")}`);
  }

  const applied = levels.length > 0 ? await applyInventoryLevels(pgPool(), shop, levels) : null;
  await pgPool().query(
    `INSERT INTO integrity_finding (run_id, shop, "check", entity_type, entity_id, outcome, "before", "after", message, created_at)
     SELECT $1, $2, $3, 'variant', f.id, 'FIXED', f.before, f.after, f.message, $4
       FROM unnest($5::bigint[], $6::jsonb[], $7::jsonb[], $8::text[]) AS f(id, before, after, message)`,
    [
      runId,
      shop,
      TRUTH_MISMATCH_CHECK,
      now,
      mismatches.map((m) => m.variantId.toString()),
      mismatches.map((m) => JSON.stringify(Object.fromEntries(m.differences.map((d) => [d.field, d.marketplace])))),
      mismatches.map((m) => JSON.stringify(Object.fromEntries(m.differences.map((d) => [d.field, d.shopify])))),
      messages,
    ],
  );
  return { findings: mismatches.length, levelsApplied: applied?.received ?? 0, productSyncNeeded };
}

/**
 * The item's levels at the marketplace's locations as Shopify answered them; a marketplace location the (complete)
 * page does not list does not stock the item: a removal, as inventory_levels/disconnect would apply.
 */
function levelsOf(node: VerifiedVariantNode, locationIds: readonly bigint[], observedAt: Date): InventoryLevelChange[] {
  const item = node.inventoryItem;
  const inventoryItemId = numericIdOf(item.id, "InventoryItem");
  const common = {
    inventoryItemId,
    observedAt,
    tracked: item.tracked,
    inventoryPolicy: node.inventoryPolicy,
  };
  return locationIds.flatMap((locationId): InventoryLevelChange[] => {
    const level = item.inventoryLevels.nodes.find((l) => l.location.id === toGid("Location", locationId));
    if (level) {
      const available = level.quantities.find((q) => q.name === "available")?.quantity ?? 0;
      return [{ ...common, locationId, available, updatedAt: new Date(level.updatedAt) }];
    }
    if (item.inventoryLevels.pageInfo.hasNextPage) return [];
    return [{ ...common, locationId, available: null, updatedAt: observedAt }];
  });
}
