import { randomUUID } from "node:crypto";
import { resetEnvCache } from "../../../app/env.server";
import {
  signSessionToken,
  startEmulator,
  webhookHmac,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../../emulator";
import { TEST_API_KEY, TEST_API_SECRET } from "../../support/test-environment";

// The real shopifyApp() of app/shopify.server.ts, talking to the Shopify emulator through the emulator seam, for
// tests that drive install (token exchange), webhooks and embedded pages end to end.

export const APP_URL = "http://127.0.0.1:3999";

/** A webhook route's action, imported from app/routes and called with a signed request (webhookRequest). */
export type RouteAction = (args: {
  request: Request;
  params: Record<string, string>;
  context: Record<string, unknown>;
}) => Promise<Response>;

export interface ShopifyAppUnderTest {
  emulator: RunningEmulator;
  stop(): Promise<void>;
}

/** Starts the emulator and points the app at it. Call before anything imports ~/shopify.server. */
export async function startShopifyAppUnderTest(
  emulatorOptions: Pick<EmulatorOptions, "webhookDelivery"> = {},
): Promise<ShopifyAppUnderTest> {
  const emulator = await startEmulator({ apiSecret: TEST_API_SECRET, apiKey: TEST_API_KEY, ...emulatorOptions });
  process.env.SHOPIFY_ADMIN_API_BASE = emulator.url;
  resetEnvCache();
  return { emulator, stop: () => emulator.stop() };
}

/** An App Bridge session token for `shop`, signed with the app's secret as Shopify signs it. */
export function sessionToken(shop: string, userId = "42"): string {
  const now = Math.floor(Date.now() / 1000);
  return signSessionToken(
    {
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: TEST_API_KEY,
      sub: userId,
      exp: now + 60,
      nbf: now - 1,
      iat: now - 1,
      jti: randomUUID(),
      sid: randomUUID(),
    },
    TEST_API_SECRET,
  );
}

/** A request from the embedded app (App Bridge's authenticated fetch) to `path` of the app. */
export function embeddedRequest(shop: string, path: string, init: RequestInit = {}): Request {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${sessionToken(shop)}`);
  return new Request(new URL(path, APP_URL), { ...init, headers });
}

/** A webhook request as Shopify sends it; `secret` other than the app's makes a forged one. */
export function webhookRequest(
  shop: string,
  topic: string,
  path: string,
  payload: unknown,
  secret: string = TEST_API_SECRET,
  headers: Record<string, string> = {},
): Request {
  const body = JSON.stringify(payload);
  return new Request(new URL(path, APP_URL), {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-Hmac-Sha256": webhookHmac(body, secret),
      "X-Shopify-Webhook-Id": randomUUID(),
      "X-Shopify-Event-Id": randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-API-Version": "2026-01",
      ...headers,
    },
  });
}
