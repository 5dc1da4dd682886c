import type pg from "pg";
import { pgPool } from "~/db.server";
import { deactivateConnection } from "./deactivate-connection.server";

// app/uninstalled is retried for up to 4 hours with its original X-Shopify-Triggered-At, so a delivery of an old
// uninstall can arrive after the merchant installed the app again. Such a delivery describes an installation that
// no longer exists: it must not deactivate the current one (nor delete its fresh session).

export type UninstallWebhookOutcome = "deactivated" | "stale";

export async function applyUninstallWebhook(
  shop: string,
  triggeredAt: string | null | undefined,
  now: Date = new Date(),
  /** The webhook receipt's transaction (app/webhooks/accept-delivery.server.ts); unset: a transaction of its own. */
  client?: pg.ClientBase,
): Promise<UninstallWebhookOutcome> {
  const triggered = triggeredAt ? new Date(triggeredAt) : null;
  if (triggered && !Number.isNaN(triggered.getTime())) {
    const { rows } = await (client ?? pgPool()).query<{ installed_at: Date }>(
      "SELECT installed_at FROM merchant_connection WHERE shop = $1",
      [shop],
    );
    if (rows[0] && triggered < rows[0].installed_at) return "stale";
  }
  await deactivateConnection(shop, now, client);
  return "deactivated";
}
