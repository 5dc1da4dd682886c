import type { SelectionMode } from "@prisma/client";
import { pgPool, withTransaction } from "~/db.server";
import { DomainError } from "~/lib/domain-error";
import { productFilterSql, type ProductFilter } from "./product-filter.server";
import { isSchedulable } from "./schedulable";
import { listedProductSql } from "./selection.server";
import { requestProductSync } from "./shop-job-control.server";

// The merchant's changes to their selection. Every statement that writes `selected` or `selection_mode` also sets
// `listed` from app/merchants/selection.server.ts in the same statement, so the two never disagree, even briefly.

/**
 * Asks Shopify which of `productIds` are products of the shop (the merchant's own session answers only for their
 * shop). Used for ids not synced yet; the route passes one backed by the Admin API.
 */
export type ShopifyProductLookup = (productIds: bigint[]) => Promise<bigint[]>;

export interface SelectProductsInput {
  shop: string;
  productIds: readonly bigint[];
  selected: boolean;
  /** Without it, an id that was never synced cannot be proven to be the merchant's, and is refused. */
  lookUpInShopify?: ShopifyProductLookup;
}

export interface SelectProductsResult {
  /** Synced products whose selection was set. */
  updated: number;
  /** Products confirmed by Shopify but not synced yet: stored as selected and a product sync was requested. */
  awaitingSync: bigint[];
  syncRequested: boolean;
}

/**
 * Selects or deselects products by id. All or nothing: if any id is not one of the merchant's products, nothing
 * changes and a PRODUCTS_NOT_OWNED error names the refused ids.
 */
export async function selectProducts(input: SelectProductsInput): Promise<SelectProductsResult> {
  const { shop, selected } = input;
  const ids = [...new Set(input.productIds.map(String))].map(BigInt);
  if (ids.length === 0) return { updated: 0, awaitingSync: [], syncRequested: false };

  const { rows: known } = await pgPool().query<{ id: string }>(
    "SELECT id::text AS id FROM product WHERE shop = $1 AND id = ANY($2::bigint[])",
    [shop, ids.map(String)],
  );
  const knownIds = new Set(known.map((row) => row.id));
  const unknown = ids.filter((id) => !knownIds.has(String(id)));

  // Product ids are unique across Shopify, so an id not synced for this shop is either the merchant's product that
  // has not arrived yet, or someone else's. Only Shopify, asked with the merchant's own token, can tell which.
  const confirmed = unknown.length && input.lookUpInShopify ? await input.lookUpInShopify(unknown) : [];
  const confirmedIds = new Set(confirmed.map(String));
  const refused = unknown.filter((id) => !confirmedIds.has(String(id)));
  if (refused.length > 0) {
    throw new DomainError(
      "PRODUCTS_NOT_OWNED",
      `${refused.length === 1 ? "Product" : "Products"} ${refused.join(", ")} ${refused.length === 1 ? "is" : "are"} not ${shop}'s; nothing was changed`,
      { shop, refused: refused.map(String) },
    );
  }
  const awaitingSync = selected ? unknown : [];

  const updated = await withTransaction(async (client) => {
    const result = await client.query(
      `UPDATE product p SET selected = $3, listed = ${listedProductSql("p", "c", "$3::boolean")}
         FROM merchant_connection c
        WHERE c.shop = p.shop AND p.shop = $1 AND p.id = ANY($2::bigint[])`,
      [shop, [...knownIds], selected],
    );
    if (awaitingSync.length > 0) {
      // A placeholder row holding the merchant's choice; the sync fills it in (and sets `listed`). Until then the
      // integrity check reports it as "selected but never received".
      await client.query(
        `INSERT INTO product (shop, id, selected, listed) SELECT $1, id, true, false FROM unnest($2::bigint[]) AS id
         ON CONFLICT (shop, id) DO UPDATE SET selected = true`,
        [shop, awaitingSync.map(String)],
      );
    }
    return result.rowCount ?? 0;
  });

  const syncRequested = awaitingSync.length > 0 && (await requestSyncIfSchedulable(shop));
  return { updated, awaitingSync, syncRequested };
}

/** "Select all N matching": sets the selection of every product the page's filter matches, across all pages. */
export async function selectMatchingProducts({
  shop,
  filter,
  selected,
}: {
  shop: string;
  filter: ProductFilter;
  selected: boolean;
}): Promise<{ updated: number }> {
  const params: unknown[] = [selected];
  const where = productFilterSql(shop, filter, params);
  const result = await pgPool().query(
    `UPDATE product p SET selected = $1, listed = ${listedProductSql("p", "c", "$1::boolean")}
       FROM merchant_connection c WHERE c.shop = p.shop AND ${where}`,
    params,
  );
  return { updated: result.rowCount ?? 0 };
}

/**
 * Switches between listing every product (ALL: products created later are included as they sync) and only the
 * chosen ones (CHOSEN). The per-product choices are kept through ALL, so switching back returns to the merchant's
 * own list. One statement updates the connection and every product's `listed`.
 */
export async function setSelectionMode({
  shop,
  mode,
}: {
  shop: string;
  mode: SelectionMode;
}): Promise<{ listed: number }> {
  const { rows } = await pgPool().query<{ connections: number; listed: number }>(
    `WITH c AS (
       UPDATE merchant_connection SET selection_mode = $2::"SelectionMode", updated_at = now()
        WHERE shop = $1 RETURNING shop, selection_mode
     ), changed AS (
       UPDATE product p SET listed = ${listedProductSql("p", "c")}
         FROM c WHERE p.shop = c.shop AND p.listed IS DISTINCT FROM ${listedProductSql("p", "c")}
       RETURNING p.id
     )
     SELECT (SELECT count(*)::int FROM c) AS connections,
            (SELECT count(*)::int FROM product p JOIN c ON c.shop = p.shop WHERE ${listedProductSql("p", "c")}) AS listed`,
    [shop, mode],
  );
  if (rows[0].connections === 0)
    throw new DomainError("CONNECTION_NOT_FOUND", `No merchant connection for ${shop}`, { shop });
  return { listed: rows[0].listed };
}

async function requestSyncIfSchedulable(shop: string): Promise<boolean> {
  const { rows } = await pgPool().query<{ active: boolean; approval_status: "APPROVED"; sync_paused: boolean }>(
    "SELECT active, approval_status, sync_paused FROM merchant_connection WHERE shop = $1",
    [shop],
  );
  const connection = rows[0];
  // A merchant not approved (or paused, or uninstalled) is not synced at all; their choice is kept for later.
  if (
    !connection ||
    !isSchedulable({
      active: connection.active,
      approvalStatus: connection.approval_status,
      syncPaused: connection.sync_paused,
    })
  ) {
    return false;
  }
  await requestProductSync(shop);
  return true;
}
