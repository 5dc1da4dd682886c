import { pgPool, withTransaction } from "~/db.server";
import { deleteShopCatalogue, type PurgeCounts } from "./purge-shop-data.server";

// The end of the uninstall grace period: shops uninstalled more than UNINSTALL_GRACE_DAYS ago lose their products
// and variants. Run daily by the purge-uninstalled-shops job. A purged shop keeps its inactive connection with
// `purge_after` cleared (that is what "purged" looks like); a later reinstall starts its catalogue afresh.

export interface ShopPurge extends PurgeCounts {
  shop: string;
}

export async function purgeUninstalledShops({ now = new Date() }: { now?: Date } = {}): Promise<ShopPurge[]> {
  const { rows } = await pgPool().query<{ shop: string }>(
    "SELECT shop FROM merchant_connection WHERE NOT active AND purge_after <= $1 ORDER BY purge_after",
    [now],
  );
  const purged: ShopPurge[] = [];
  // One transaction per shop: a large catalogue does not hold the others' locks, and a failure leaves the shops
  // already purged purged.
  for (const { shop } of rows) {
    const result = await withTransaction(async (client) => {
      // Checked again under the row lock: a reinstall that came in since the SELECT above wins (it clears
      // purge_after under the same lock).
      const due = await client.query(
        "SELECT 1 FROM merchant_connection WHERE shop = $1 AND NOT active AND purge_after <= $2 FOR UPDATE",
        [shop, now],
      );
      if (due.rowCount === 0) return null;
      const counts = await deleteShopCatalogue(client, shop);
      await client.query("UPDATE merchant_connection SET purge_after = NULL, updated_at = now() WHERE shop = $1", [
        shop,
      ]);
      return counts;
    });
    if (result) purged.push({ shop, ...result });
  }
  return purged;
}
