import { createAdminClient, type AdminClient, type AdminClientOptions } from "./admin-client.server";
import { offlineTokenSource } from "./offline-token.server";

// A job's Admin client for a shop, authenticated with the shop's stored offline session. The session is read on
// every request, not once per job: an expiring token is refreshed shortly before it expires and once after a 401,
// under the session row's lock (./offline-token.server), so a job may outlive any one token. No session, or a
// refresh Shopify refuses, surfaces as ShopifyAccessRevokedError, which the jobs turn into a deactivation.
export async function adminClientForShop(
  shop: string,
  options: Omit<AdminClientOptions, "shop" | "accessToken"> = {},
): Promise<AdminClient> {
  const tokens = offlineTokenSource(shop, { now: options.now });
  // Fail at once, before any job work, when the shop has no session at all.
  await tokens.current();
  return createAdminClient({ shop, accessToken: tokens, ...options });
}
