import "@shopify/shopify-app-remix/adapters/node";
import { shopifyApi, WebhookType, WebhookValidationErrorReason } from "@shopify/shopify-api";
import { AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { prisma } from "./db.server";
import { env } from "./env.server";
import { shopifyApiLogger } from "./lib/logger.server";
import { onShopAuthorized } from "./merchants/after-auth.server";
import { SHOPIFY_API_VERSION } from "./shopify-admin/api-version";
import { ShopifyAccessRevokedError } from "./shopify-admin/errors";
import { installEmulatorSeam } from "./shopify-admin/emulator-seam.server";
import { ensureFreshOfflineSession, offlineSessionId } from "./shopify-admin/offline-token.server";

// The Shopify app, configured once. Everything Shopify-facing (auth, webhooks, background Admin API access)
// goes through the functions exported at the bottom.

const config = env();

// Every offline session the library loads (webhooks, unauthenticated.admin, flow, app proxy) is first refreshed,
// when it expires soon, under the session row's lock (app/shopify-admin/offline-token.server.ts). The library would
// otherwise refresh it on its own, unserialised: two callers at once would both spend the single-use refresh token.
class SerializedRefreshSessionStorage extends PrismaSessionStorage<typeof prisma> {
  override async loadSession(id: string) {
    const shop = id.startsWith("offline_") ? id.slice("offline_".length) : null;
    if (shop && offlineSessionId(shop) === id) await ensureFreshOfflineSession(shop).catch(ignoreMissingSession);
    return super.loadSession(id);
  }
}

// No session loads as undefined, as the library expects. A refused refresh (refresh token expired or revoked) loads
// the stored, expired session: a page then gets a new token by token exchange as for a first visit, and the jobs
// deactivate the shop. A transient failure (5xx, network) propagates: retrying later is better than the library
// trying the same refresh token again outside the lock.
function ignoreMissingSession(error: unknown): void {
  if (!(error instanceof ShopifyAccessRevokedError)) throw error;
}

const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: SHOPIFY_API_VERSION,
  scopes: config.SCOPES.split(",").map((scope) => scope.trim()),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new SerializedRefreshSessionStorage(prisma),
  distribution: AppDistribution.AppStore,
  // Expiring offline tokens: required of public apps ("Expiring token requirements for public apps",
  // https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens). The
  // token exchange then asks for `expiring=1` and the session stores expires/refreshToken/refreshTokenExpires.
  future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
  // Install and reinstall: create or reactivate the merchant connection (app/merchants/record-install.server.ts).
  // Webhooks are app-specific subscriptions in shopify.app.toml, so there is no `webhooks` option to register here.
  hooks: { afterAuth: onShopAuthorized },
  logger: shopifyApiLogger(),
  ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
});

// Local development, tests and the demo talk to the Shopify emulator instead of *.myshopify.com. This must run
// after the adapter import above, which installs the default fetch that the seam wraps.
if (config.SHOPIFY_ADMIN_API_BASE) installEmulatorSeam(config.SHOPIFY_ADMIN_API_BASE);

// Webhooks whose handling needs no Admin API access (products/*: the payload is the change) are verified without
// loading the shop's offline session, which authenticate.webhook always does (a session row read, Prisma's own read,
// and a token refresh when the hour-long token is near its end): two queries and possibly a call to Shopify per delivery,
// on the path Shopify gives 5 s. The check is the library's own (@shopify/shopify-api's webhooks.validate: the HMAC of
// the raw body with the app's secret, compared in constant time, and the required headers), on an API object of its
// own configured with the same credentials, as shopifyApp() derives its own (its `api` is not exported).
const webhookApi = shopifyApi({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: SHOPIFY_API_VERSION,
  scopes: config.SCOPES.split(",").map((scope) => scope.trim()),
  hostName: new URL(config.SHOPIFY_APP_URL).host,
  hostScheme: new URL(config.SHOPIFY_APP_URL).protocol === "http:" ? "http" : "https",
  isEmbeddedApp: true,
  logger: shopifyApiLogger(),
  _logDisabledFutureFlags: false,
});

export interface VerifiedWebhook {
  shop: string;
  topic: string;
  webhookId: string;
  apiVersion: string;
  payload: unknown;
  triggeredAt?: string;
  eventId?: string;
}

/** authenticate.webhook without the session: 405 for a non-POST, 401 for a bad HMAC, 400 for missing headers. */
export async function verifyWebhook(request: Request): Promise<VerifiedWebhook> {
  if (request.method !== "POST") throw new Response(undefined, { status: 405, statusText: "Method not allowed" });
  const rawBody = await request.text();
  const check = await webhookApi.webhooks.validate({ rawBody, rawRequest: request });
  if (!check.valid) {
    const status = check.reason === WebhookValidationErrorReason.InvalidHmac ? 401 : 400;
    throw new Response(undefined, { status, statusText: status === 401 ? "Unauthorized" : "Bad Request" });
  }
  if (check.webhookType !== WebhookType.Webhooks) throw new Response(undefined, { status: 400 });
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    throw new Response(undefined, { status: 400, statusText: "Bad Request" });
  }
  return {
    shop: check.domain,
    topic: check.topic,
    webhookId: check.webhookId,
    apiVersion: check.apiVersion,
    payload,
    triggeredAt: check.triggeredAt,
    eventId: check.eventId,
  };
}

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
