import { createHmac } from "node:crypto";
import { env } from "~/env.server";

/**
 * The key that signs admin session cookies. Production requires ADMIN_SESSION_SECRET (env.server.ts refuses to
 * start without it). Elsewhere, when it is unset, a key is derived from SHOPIFY_API_SECRET with HMAC under a label
 * of its own: stable across restarts and shared by every process of one deployment (so sessions survive a dev
 * reload), different from the Shopify secret itself (a leaked session key does not reveal it), and never a constant
 * written in the source (which would let anyone forge an admin cookie on a machine that forgot to set one).
 */
export function adminSessionSecret(): string {
  const config = env();
  if (config.ADMIN_SESSION_SECRET) return config.ADMIN_SESSION_SECRET;
  return createHmac("sha256", config.SHOPIFY_API_SECRET)
    .update("marketplace-sync/admin-session/v1")
    .digest("base64url");
}
