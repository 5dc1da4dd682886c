import { pgPool } from "~/db.server";
import { selectedProductSql } from "~/merchants/selection.server";
import type { MarketplaceVariant } from "./compare-variant";

// Which variants a run verifies: the marketplace's copy (live variants of the shop's selected, live products, whatever
// their status, so a product reactivated or drafted behind our back is seen too), least recently verified first.
//
// The rotation keys on product_variant.verified_at rather than a cursor over ids: a variant created since the last run
// (never verified) goes first instead of waiting for a cursor to wrap around, deletions and restarts need no
// bookkeeping, and "verified in the last 7 days" (the truth figure) is read from the same column. The sample is at
// least what covers every listed variant twice a week at one run an hour, so a week holds every variant even when
// runs are missed; the budget may cut a run short, and the 7-day share verified then says so.

export const RUNS_PER_WEEK = 7 * 24;
/** Each variant is verified this many times a week at least (given the budget): missed runs are made up. */
export const WEEKLY_COVERAGE_FACTOR = 2;

/** The sample of one run: the setting, or more when the shop lists more than that covers in a week. */
export function sampleSizeFor(listedVariants: number, configured: number): number {
  return Math.max(configured, Math.ceil((listedVariants * WEEKLY_COVERAGE_FACTOR) / RUNS_PER_WEEK));
}

// When our copy of the variant was last written, for setAsideInFlight (./compare-variant.ts).
const WRITTEN_AT = `greatest(v.synced_at, p.synced_at) AS written_at,
  (SELECT max(l.observed_at) FROM inventory_level l
    WHERE l.shop = v.shop AND l.inventory_item_id = v.inventory_item_id) AS levels_observed_at`;

const LISTED = `
  FROM product_variant v
  JOIN product p ON p.shop = v.shop AND p.id = v.product_id AND p.deleted_at IS NULL
  JOIN merchant_connection c ON c.shop = v.shop
 WHERE v.shop = $1 AND v.deleted_at IS NULL AND ${selectedProductSql("p", "c")}`;

export async function countListedVariants(shop: string): Promise<number> {
  const { rows } = await pgPool().query<{ n: number }>(`SELECT count(*)::int AS n ${LISTED}`, [shop]);
  return rows[0].n;
}

interface SampleRow {
  variant_id: string;
  product_id: string;
  title: string | null;
  price: string | null;
  compare_at_price: string | null;
  product_title: string | null;
  product_status: string | null;
  inventory_item_id: string | null;
  available_quantity: number | null;
  inventory_tracked: boolean;
  inventory_policy: "DENY" | "CONTINUE";
  written_at: Date | null;
  levels_observed_at: Date | null;
}

/** The next `limit` variants of the rotation: never verified first, then the longest since. */
export async function selectSample(shop: string, limit: number): Promise<MarketplaceVariant[]> {
  const { rows } = await pgPool().query<SampleRow>(
    `SELECT v.id::text AS variant_id, v.product_id::text AS product_id, v.title, v.price::text, v.compare_at_price::text,
            p.title AS product_title, p.status::text AS product_status, v.inventory_item_id::text, v.available_quantity,
            v.inventory_tracked, v.inventory_policy::text AS inventory_policy, ${WRITTEN_AT}
     ${LISTED}
      ORDER BY v.verified_at ASC NULLS FIRST, v.id
      LIMIT $2`,
    [shop, limit],
  );
  return rows.map(toMarketplaceVariant);
}

/** The marketplace's rows of these variants now (after a page was read: what webhooks wrote meanwhile counts). */
export async function currentRows(
  shop: string,
  variantIds: readonly bigint[],
): Promise<Map<bigint, MarketplaceVariant>> {
  const { rows } = await pgPool().query<SampleRow>(
    `SELECT v.id::text AS variant_id, v.product_id::text AS product_id, v.title, v.price::text, v.compare_at_price::text,
            p.title AS product_title, p.status::text AS product_status, v.inventory_item_id::text, v.available_quantity,
            v.inventory_tracked, v.inventory_policy::text AS inventory_policy, ${WRITTEN_AT}
       FROM product_variant v
       LEFT JOIN product p ON p.shop = v.shop AND p.id = v.product_id
      WHERE v.shop = $1 AND v.id = ANY($2::bigint[])`,
    [shop, variantIds.map(String)],
  );
  return new Map(rows.map((row) => [BigInt(row.variant_id), toMarketplaceVariant(row)]));
}

/** Moves these variants to the back of the rotation. */
export async function markVerified(shop: string, variantIds: readonly bigint[], at: Date): Promise<void> {
  if (variantIds.length === 0) return;
  await pgPool().query(`UPDATE product_variant SET verified_at = $3 WHERE shop = $1 AND id = ANY($2::bigint[])`, [
    shop,
    variantIds.map(String),
    at,
  ]);
}

function toMarketplaceVariant(row: SampleRow): MarketplaceVariant {
  return {
    variantId: BigInt(row.variant_id),
    productId: BigInt(row.product_id),
    title: row.title,
    price: row.price,
    compareAtPrice: row.compare_at_price,
    productTitle: row.product_title,
    productStatus: row.product_status,
    inventoryItemId: row.inventory_item_id === null ? null : BigInt(row.inventory_item_id),
    availableQuantity: row.available_quantity,
    inventoryTracked: row.inventory_tracked,
    inventoryPolicy: row.inventory_policy,
    writtenAt: row.written_at,
    levelsObservedAt: row.levels_observed_at,
  };
}
