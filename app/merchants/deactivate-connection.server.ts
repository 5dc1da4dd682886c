import type pg from "pg";
import { withTransaction } from "~/db.server";
import { env } from "~/env.server";
import { cancelPendingShopJobs } from "./shop-job-control.server";

const DAY_MS = 24 * 60 * 60 * 1000;

/** When an uninstalled shop's data may be purged: UNINSTALL_GRACE_DAYS after it was uninstalled. */
export function purgeDate(uninstalledAt: Date, graceDays: number = env().UNINSTALL_GRACE_DAYS): Date {
  return new Date(uninstalledAt.getTime() + graceDays * DAY_MS);
}

/**
 * Stops everything for a shop that uninstalled the app (or whose token was revoked, which is the same situation
 * seen from a job): the connection goes inactive, so the fan-outs skip it; its queued jobs are dropped; its
 * sessions are deleted, since their tokens no longer work; its unfinished bulk exports are marked CANCELED.
 * Its data stays until `purge_after` (the grace period), so a reinstall finds everything as it was.
 *
 * Bulk exports are cancelled locally only: by the time Shopify sends app/uninstalled (or answers 401) the token is
 * already revoked, so `bulkOperationCancel` cannot be sent. Shopify stops serving the app's operations for a shop
 * that uninstalled it; marking the rows CANCELED stops our side from polling or ingesting them.
 *
 * All of it is one transaction, on `client` when given (app/uninstalled runs it in its delivery receipt's
 * transaction). Idempotent: a repeated webhook or a later 401 keeps the first uninstall's times.
 */
export async function deactivateConnection(shop: string, at: Date = new Date(), client?: pg.ClientBase): Promise<void> {
  if (!client) return withTransaction((own) => deactivateConnection(shop, at, own));
  await client.query(
    `UPDATE merchant_connection SET active = false, uninstalled_at = $2, purge_after = $3, updated_at = now()
      WHERE shop = $1 AND active`,
    [shop, at, purgeDate(at)],
  );
  await client.query("DELETE FROM session WHERE shop = $1", [shop]);
  await client.query(
    `UPDATE bulk_operation SET status = 'CANCELED', completed_at = $2,
            error = 'Cancelled: the app was uninstalled or its access revoked'
      WHERE shop = $1 AND status IN ('CREATED', 'RUNNING', 'CANCELING')`,
    [shop, at],
  );
  await cancelPendingShopJobs(shop, client);
}
