import { prisma } from "~/db.server";
import { deactivateConnection } from "./deactivate-connection.server";

// app/uninstalled is retried for up to 4 hours with its original X-Shopify-Triggered-At, so a delivery of an old
// uninstall can arrive after the merchant installed the app again. Such a delivery describes an installation that
// no longer exists: it must not deactivate the current one (nor delete its fresh session).

export type UninstallWebhookOutcome = "deactivated" | "stale";

export async function applyUninstallWebhook(
  shop: string,
  triggeredAt: string | null | undefined,
  now: Date = new Date(),
): Promise<UninstallWebhookOutcome> {
  const triggered = triggeredAt ? new Date(triggeredAt) : null;
  if (triggered && !Number.isNaN(triggered.getTime())) {
    const connection = await prisma.merchantConnection.findUnique({ where: { shop }, select: { installedAt: true } });
    if (connection && triggered < connection.installedAt) return "stale";
  }
  await deactivateConnection(shop, now);
  return "deactivated";
}
