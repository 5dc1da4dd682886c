import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { prisma } from "./db.server";
import { env } from "./env.server";
import { onShopAuthorized } from "./merchants/after-auth.server";
import { SHOPIFY_API_VERSION } from "./shopify-admin/api-version";
import { installEmulatorSeam } from "./shopify-admin/emulator-seam.server";

// The Shopify app, configured once. Everything Shopify-facing (auth, webhooks, background Admin API access)
// goes through the functions exported at the bottom.

const config = env();

const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: SHOPIFY_API_VERSION,
  scopes: config.SCOPES.split(",").map((scope) => scope.trim()),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(prisma),
  distribution: AppDistribution.AppStore,
  future: { unstable_newEmbeddedAuthStrategy: true },
  // Install and reinstall: create or reactivate the merchant connection (app/merchants/record-install.server.ts).
  // Webhooks are app-specific subscriptions in shopify.app.toml, so there is no `webhooks` option to register here.
  hooks: { afterAuth: onShopAuthorized },
  ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
});

// Local development, tests and the demo talk to the Shopify emulator instead of *.myshopify.com. This must run
// after the adapter import above, which installs the default fetch that the seam wraps.
if (config.SHOPIFY_ADMIN_API_BASE) installEmulatorSeam(config.SHOPIFY_ADMIN_API_BASE);

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
