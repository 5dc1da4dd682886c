import { SessionNotFoundError } from "@shopify/shopify-app-remix/server";
import { createAdminClient, type AdminClient, type AdminClientOptions } from "./admin-client.server";
import { ShopifyAccessRevokedError } from "./errors";

// A job's Admin client for a shop, authenticated with the shop's stored offline session. shopify.server is
// imported lazily so that modules which merely import this one do not configure the whole Shopify app.
export async function adminClientForShop(shop: string, options: Omit<AdminClientOptions, "shop" | "accessToken"> = {}): Promise<AdminClient> {
  const { unauthenticated } = await import("~/shopify.server");
  let accessToken: string | undefined;
  try {
    ({ session: { accessToken } } = await unauthenticated.admin(shop));
  } catch (error) {
    // No offline session: the app is not (or no longer) installed, the same situation as a revoked token.
    if (error instanceof SessionNotFoundError) throw new ShopifyAccessRevokedError(shop);
    throw error;
  }
  if (!accessToken) throw new ShopifyAccessRevokedError(shop);
  return createAdminClient({ shop, accessToken, ...options });
}
