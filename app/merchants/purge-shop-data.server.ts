import type pg from "pg";
import { withTransaction } from "~/db.server";

// Deleting a shop's data: the catalogue after the uninstall grace period, and everything Shopify asks us to erase
// with shop/redact. Both keep the merchant_connection row itself (inactive), because the marketplace's own record
// of the merchant (approval history, install dates) is not the shop's data; shop/redact also clears the personal
// fields of that row.

export interface PurgeCounts {
  products: number;
  variants: number;
}

/** Deletes the shop's products and variants, on `client` (inside the caller's transaction). */
export async function deleteShopCatalogue(client: pg.ClientBase, shop: string): Promise<PurgeCounts> {
  const variants = await client.query("DELETE FROM product_variant WHERE shop = $1", [shop]);
  const products = await client.query("DELETE FROM product WHERE shop = $1", [shop]);
  return { products: products.rowCount ?? 0, variants: variants.rowCount ?? 0 };
}

export interface RedactCounts extends PurgeCounts {
  sessions: number;
  bulkOperations: number;
  integrityFindings: number;
  webhookDeliveries: number;
  connectionCleared: boolean;
}

/**
 * shop/redact: Shopify sends it 48 hours after an uninstall, and the shop's data must go. Deletes the catalogue,
 * the sessions, the bulk export records (their URLs lead to the shop's export files), the integrity findings (they
 * hold snapshots of products), the webhook receipts, and the connection's personal fields (shop name, plan,
 * default location). Operational records that name only the shop (sync events, alerts) are kept.
 *
 * Refuses to touch an installed shop: Shopify only sends shop/redact for a shop that uninstalled the app, so an
 * active connection means a reinstall came in between, and the merchant's data is in use again.
 */
export interface RedactOptions {
  /** Run on this transaction's client (shop/redact runs it in its delivery receipt's transaction). */
  client?: pg.ClientBase;
  /** The shop/redact delivery's own receipt: kept, so Shopify's retry of it is recognised and not redone. */
  keepWebhookId?: string;
}

export async function redactShop(
  shop: string,
  options: RedactOptions = {},
): Promise<RedactCounts | { skipped: "installed" }> {
  if (!options.client) return withTransaction((client) => redactShop(shop, { ...options, client }));
  const client = options.client;
  const { rows } = await client.query<{ active: boolean }>(
    "SELECT active FROM merchant_connection WHERE shop = $1 FOR UPDATE",
    [shop],
  );
  if (rows[0]?.active) return { skipped: "installed" as const };
  const catalogue = await deleteShopCatalogue(client, shop);
  const sessions = await client.query("DELETE FROM session WHERE shop = $1", [shop]);
  const bulkOperations = await client.query("DELETE FROM bulk_operation WHERE shop = $1", [shop]);
  const integrityFindings = await client.query("DELETE FROM integrity_finding WHERE shop = $1", [shop]);
  const webhookDeliveries = await client.query(
    "DELETE FROM webhook_delivery WHERE shop = $1 AND webhook_id IS DISTINCT FROM $2",
    [shop, options.keepWebhookId ?? null],
  );
  const connection = await client.query(
    `UPDATE merchant_connection SET shop_name = NULL, plan = NULL, default_location_id = NULL, purge_after = NULL,
            updated_at = now()
      WHERE shop = $1`,
    [shop],
  );
  return {
    ...catalogue,
    sessions: sessions.rowCount ?? 0,
    bulkOperations: bulkOperations.rowCount ?? 0,
    integrityFindings: integrityFindings.rowCount ?? 0,
    webhookDeliveries: webhookDeliveries.rowCount ?? 0,
    connectionCleared: (connection.rowCount ?? 0) > 0,
  };
}
