import type { SelectionMode } from "@prisma/client";
import { pgPool } from "~/db.server";
import { productFilterSql, type ProductFilter } from "./product-filter.server";
import { selectedProductSql } from "./selection.server";

// One page of the merchant's synced products for the selection page, filtered, counted and paged in SQL.
// Offset paging by page number: a merchant's catalogue is thousands of rows, not millions, and the page needs
// "page 3 of 12" and jumping back to page 1 after a filter change more than it needs keyset paging's speed.

export const SELECTION_PAGE_SIZE = 50;

export interface SelectionPageProduct {
  id: string; // numeric Shopify id as a string (BIGINT does not fit JSON numbers)
  title: string | null;
  vendor: string | null;
  status: string | null;
  selected: boolean;
  listed: boolean;
  /** Chosen before its data arrived (a placeholder row): shown as "waiting for sync". */
  awaitingSync: boolean;
}

export interface SelectionPage {
  mode: SelectionMode;
  products: SelectionPageProduct[];
  page: number;
  pageCount: number;
  /** Products matching the filter, across all pages. */
  matching: number;
  /** Selected products of the shop (not deleted), whatever the filter. */
  selectedTotal: number;
  listedTotal: number;
}

export async function loadSelectionPage({
  shop,
  filter,
  page,
  pageSize = SELECTION_PAGE_SIZE,
}: {
  shop: string;
  filter: ProductFilter;
  page: number;
  pageSize?: number;
}): Promise<SelectionPage> {
  const params: unknown[] = [];
  const where = productFilterSql(shop, filter, params);
  const currentPage = Math.max(1, Math.floor(page));
  const limit = params.push(pageSize);
  const offset = params.push((currentPage - 1) * pageSize);
  const { rows } = await pgPool().query<{
    id: string;
    title: string | null;
    vendor: string | null;
    status: string | null;
    selected: boolean;
    listed: boolean;
    awaiting_sync: boolean;
    matching: number;
  }>(
    `SELECT p.id::text AS id, p.title, p.vendor, p.status, ${selectedProductSql("p", "c")} AS selected, p.listed,
            (p.shopify_updated_at IS NULL AND p.title IS NULL) AS awaiting_sync, count(*) OVER ()::int AS matching
       FROM product p JOIN merchant_connection c ON c.shop = p.shop
      WHERE ${where}
      ORDER BY p.title NULLS FIRST, p.id
      LIMIT $${limit} OFFSET $${offset}`,
    params,
  );
  const totals = await pgPool().query<{ mode: SelectionMode; selected_total: number; listed_total: number }>(
    `SELECT c.selection_mode AS mode,
            count(p.id) FILTER (WHERE ${selectedProductSql("p", "c")})::int AS selected_total,
            count(p.id) FILTER (WHERE p.listed)::int AS listed_total
       FROM merchant_connection c LEFT JOIN product p ON p.shop = c.shop AND p.deleted_at IS NULL
      WHERE c.shop = $1 GROUP BY c.selection_mode`,
    [shop],
  );
  // A page past the end (products deselected by a filter change) has no rows, so no window count: count again.
  const matching = rows[0]?.matching ?? (currentPage > 1 ? await countMatching(shop, filter) : 0);
  return {
    mode: totals.rows[0]?.mode ?? "CHOSEN",
    products: rows.map((row) => ({
      id: row.id,
      title: row.title,
      vendor: row.vendor,
      status: row.status,
      selected: row.selected,
      listed: row.listed,
      awaitingSync: row.awaiting_sync,
    })),
    page: currentPage,
    pageCount: Math.max(1, Math.ceil(matching / pageSize)),
    matching,
    selectedTotal: totals.rows[0]?.selected_total ?? 0,
    listedTotal: totals.rows[0]?.listed_total ?? 0,
  };
}

async function countMatching(shop: string, filter: ProductFilter): Promise<number> {
  const params: unknown[] = [];
  const where = productFilterSql(shop, filter, params);
  const { rows } = await pgPool().query<{ n: number }>(
    `SELECT count(*)::int AS n FROM product p JOIN merchant_connection c ON c.shop = p.shop WHERE ${where}`,
    params,
  );
  return rows[0].n;
}
