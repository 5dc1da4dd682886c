import { pgPool } from "~/db.server";
import { DomainError } from "~/lib/domain-error";
import { requestProductSync } from "./shop-job-control.server";
import { schedulableSql } from "./schedulable";

// The merchant's "sync now": at most one manual product sync per shop per MANUAL_SYNC_INTERVAL. The limit is kept in
// the database (merchant_connection.last_manual_sync_at) and claimed with one conditional UPDATE, so it holds across
// app processes and restarts, and two clicks at once cannot both pass.

export const MANUAL_SYNC_INTERVAL_MS = 10 * 60 * 1000;

/** Starts the product sync and says so, or throws a DomainError that says why not (and, rate-limited, until when). */
export async function requestManualProductSync(shop: string, now: Date = new Date()): Promise<string> {
  const earliestPrevious = new Date(now.getTime() - MANUAL_SYNC_INTERVAL_MS);
  const { rows: claimed } = await pgPool().query<{ previous: Date | null }>(
    `UPDATE merchant_connection m SET last_manual_sync_at = $2
       FROM (SELECT shop, last_manual_sync_at AS previous FROM merchant_connection WHERE shop = $1 FOR UPDATE) old
      WHERE m.shop = old.shop AND ${schedulableSql("m")}
        AND (m.last_manual_sync_at IS NULL OR m.last_manual_sync_at <= $3)
     RETURNING old.previous`,
    [shop, now, earliestPrevious],
  );
  if (claimed.length === 1) {
    try {
      await requestProductSync(shop);
    } catch (error) {
      // Not queued: give the merchant their request back rather than making them wait for nothing.
      await pgPool().query("UPDATE merchant_connection SET last_manual_sync_at = $2 WHERE shop = $1", [
        shop,
        claimed[0].previous,
      ]);
      throw error;
    }
    return "Product sync started. Your products will be updated in a few minutes.";
  }
  throw await refusalOf(shop);
}

async function refusalOf(shop: string): Promise<DomainError> {
  const { rows } = await pgPool().query<{
    active: boolean;
    approval_status: string;
    sync_paused: boolean;
    last_manual_sync_at: Date | null;
  }>("SELECT active, approval_status, sync_paused, last_manual_sync_at FROM merchant_connection WHERE shop = $1", [
    shop,
  ]);
  const connection = rows[0];
  if (!connection)
    return new DomainError("CONNECTION_NOT_FOUND", "Your shop is not connected to the marketplace yet.", { shop });
  if (!connection.active)
    return new DomainError("SHOP_DISCONNECTED", "The app is not connected to your shop; reinstall it to sync.", {
      shop,
    });
  if (connection.approval_status !== "APPROVED") {
    return new DomainError("SYNC_NOT_ALLOWED", "Syncing starts once the marketplace approves your shop.", { shop });
  }
  if (connection.sync_paused)
    return new DomainError("SYNC_NOT_ALLOWED", "Syncing of your shop is paused by the marketplace.", { shop });
  const retryAt = new Date(connection.last_manual_sync_at!.getTime() + MANUAL_SYNC_INTERVAL_MS);
  return new DomainError(
    "RATE_LIMITED",
    `A sync was started less than ${MANUAL_SYNC_INTERVAL_MS / 60_000} minutes ago. You can start another at ${retryAt.toISOString().slice(11, 16)} UTC.`,
    { shop, retryAt },
  );
}

/** When the merchant may press "sync now" again (null: now). */
export function nextManualSyncAt(lastManualSyncAt: Date | null, now: Date = new Date()): Date | null {
  if (!lastManualSyncAt) return null;
  const next = new Date(lastManualSyncAt.getTime() + MANUAL_SYNC_INTERVAL_MS);
  return next > now ? next : null;
}
