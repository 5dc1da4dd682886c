import type { ApprovalStatus } from "@prisma/client";
import { pgPool } from "~/db.server";
import type { Queryable } from "~/lib/queryable.server";
import { quantityLimitsSalesSql } from "~/inventory/sellable";

// Catalog health per merchant, for the admin pages: what is listed, what cannot be bought, what needs a person,
// and when each kind of sync last succeeded. One statement; each count is aggregated per shop before the join.

export interface CatalogHealth {
  shop: string;
  shopName: string | null;
  active: boolean;
  approvalStatus: ApprovalStatus;
  syncPaused: boolean;
  products: number; // not deleted
  productsListed: number;
  variantsListed: number; // variants of listed products
  /** Variants of listed products whose known quantity is zero or less (an untracked, null quantity is not counted). */
  variantsOutOfStock: number;
  openFindings: number; // integrity findings FLAGGED for a person and not resolved
  openAlerts: number; // alerts not resolved (open or acknowledged)
  lastProductSyncAt: Date | null;
  lastInventorySyncAt: Date | null;
  lastIntegrityCheckAt: Date | null;
}

/** Every merchant's health, or only these shops' (one merchant's page, one page of the merchants list). */
export async function getCatalogHealth(
  filter: { shops?: readonly string[] } = {},
  options: { db?: Queryable } = {},
): Promise<CatalogHealth[]> {
  const db = options.db ?? pgPool();
  const shops = filter.shops ?? null;
  // Each count is narrowed to the shops before it is aggregated, so a page of merchants reads only their catalogs.
  const only = (column: string) => (shops ? `AND ${column} = ANY($1::text[])` : "");
  const { rows } = await db.query<CatalogHealth>(
    `WITH products AS (
       SELECT p.shop, count(*)::int AS products, count(*) FILTER (WHERE p.listed)::int AS listed
         FROM product p WHERE p.deleted_at IS NULL ${only("p.shop")} GROUP BY p.shop
     ), variants AS (
       SELECT v.shop, count(*)::int AS listed,
              -- untracked and continue-selling variants are never out of stock (app/inventory/sellable.ts)
              count(*) FILTER (WHERE v.available_quantity <= 0 AND ${quantityLimitsSalesSql("v")})::int AS out_of_stock
         FROM product_variant v
         JOIN product p ON p.shop = v.shop AND p.id = v.product_id AND p.listed AND p.deleted_at IS NULL
        -- narrowed on both sides: PostgreSQL does not carry an ANY(...) filter across the join's equality
        WHERE v.deleted_at IS NULL ${only("v.shop")} ${only("p.shop")} GROUP BY v.shop
     ), findings AS (
       SELECT f.shop, count(*)::int AS open
         FROM integrity_finding f WHERE f.outcome = 'FLAGGED' AND f.resolved_at IS NULL ${only("f.shop")}
        GROUP BY f.shop
     ), alerts AS (
       SELECT a.shop, count(*)::int AS open FROM alert a WHERE a.status <> 'RESOLVED' ${only("a.shop")} GROUP BY a.shop
     )
     SELECT m.shop, m.shop_name AS "shopName", m.active, m.approval_status AS "approvalStatus",
            m.sync_paused AS "syncPaused",
            COALESCE(p.products, 0) AS products, COALESCE(p.listed, 0) AS "productsListed",
            COALESCE(v.listed, 0) AS "variantsListed", COALESCE(v.out_of_stock, 0) AS "variantsOutOfStock",
            COALESCE(f.open, 0) AS "openFindings", COALESCE(a.open, 0) AS "openAlerts",
            m.last_product_sync_at AS "lastProductSyncAt", m.last_inventory_sync_at AS "lastInventorySyncAt",
            m.last_integrity_check_at AS "lastIntegrityCheckAt"
       FROM merchant_connection m
       LEFT JOIN products p ON p.shop = m.shop
       LEFT JOIN variants v ON v.shop = m.shop
       LEFT JOIN findings f ON f.shop = m.shop
       LEFT JOIN alerts a ON a.shop = m.shop
      WHERE TRUE ${only("m.shop")}
      ORDER BY m.shop`,
    shops ? [shops] : [],
  );
  return rows;
}
