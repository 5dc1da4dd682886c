import type { Session } from "@shopify/shopify-api";
import { createAdminClient } from "~/shopify-admin/admin-client.server";
import { recordInstall } from "./record-install.server";

// The shopifyApp() afterAuth hook: a new offline token for the shop was just obtained (install, reinstall or a
// lost session). Webhook subscriptions are not registered here: they are app-specific subscriptions declared in
// shopify.app.toml, which Shopify creates for every shop when the configuration is deployed (compliance topics can
// only be declared there). Locally there is nothing to deploy: the emulator reads the same toml and delivers each
// topic to the path declared for it (emulator/webhook-paths.ts).
export async function onShopAuthorized({ session }: { session: Session }): Promise<void> {
  if (!session.accessToken) throw new Error(`afterAuth for ${session.shop} came without an access token`);
  const admin = createAdminClient({ shop: session.shop, accessToken: session.accessToken });
  await recordInstall({ shop: session.shop, admin });
}
