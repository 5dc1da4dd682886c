import "@shopify/shopify-api/adapters/node";
import { randomUUID } from "node:crypto";
import { LogSeverity, RequestedTokenType, shopifyApi } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOPIFY_API_VERSION } from "../../app/shopify-admin/api-version";
import { adminApiUrl } from "../../app/shopify-admin/admin-api-url";
import { installEmulatorSeam, rewriteShopifyUrl } from "../../app/shopify-admin/emulator-seam.server";
import { SHOP_QUERY } from "../../app/shopify-admin/operations";
import { signSessionToken, type RunningEmulator } from "../../emulator/index";
import { createTestShop, rawGraphql, startTestEmulator, TEST_API_KEY, TEST_API_SECRET } from "../support/emulator";

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
  installEmulatorSeam(emulator.url);
});
afterAll(() => emulator.stop());

const shopify = () =>
  shopifyApi({
    apiKey: TEST_API_KEY,
    apiSecretKey: TEST_API_SECRET,
    apiVersion: SHOPIFY_API_VERSION,
    hostName: "app.example.com",
    isEmbeddedApp: true,
    scopes: ["read_products"],
    logger: { level: LogSeverity.Error },
  });

function sessionTokenFor(shop: string, secret = TEST_API_SECRET): string {
  const now = Math.floor(Date.now() / 1000);
  return signSessionToken(
    {
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: TEST_API_KEY,
      sub: "42",
      exp: now + 60,
      nbf: now - 1,
      iat: now,
      jti: randomUUID(),
      sid: randomUUID(),
    },
    secret,
  );
}

async function tokenRequest(shop: string, body: Record<string, string>) {
  const response = await fetch(`${emulator.url}/shops/${shop}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_id: TEST_API_KEY, client_secret: TEST_API_SECRET, ...body }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("the emulator seam and token exchange", () => {
  it("rewrites only https://<shop>.myshopify.com URLs, keeping the shop in the path", () => {
    expect(
      rewriteShopifyUrl("http://127.0.0.1:4010", "https://a-shop.myshopify.com/admin/api/2026-01/graphql.json?x=1"),
    ).toBe("http://127.0.0.1:4010/shops/a-shop.myshopify.com/admin/api/2026-01/graphql.json?x=1");
    expect(rewriteShopifyUrl("http://127.0.0.1:4010", "https://hooks.slack.com/services/x")).toBeNull();
    expect(rewriteShopifyUrl("http://127.0.0.1:4010", "https://storage.googleapis.com/bulk/x.jsonl")).toBeNull();
    expect(adminApiUrl("a-shop.myshopify.com", undefined)).toBe(
      `https://a-shop.myshopify.com/admin/api/${SHOPIFY_API_VERSION}/graphql.json`,
    );
    expect(adminApiUrl("a-shop.myshopify.com", "http://127.0.0.1:4010/")).toBe(
      `http://127.0.0.1:4010/shops/a-shop.myshopify.com/admin/api/${SHOPIFY_API_VERSION}/graphql.json`,
    );
  });

  it("the Shopify library's token exchange and GraphQL client reach the emulator through the seam", async () => {
    const shop = createTestShop(emulator);
    const api = shopify();
    const { session } = await api.auth.tokenExchange({
      shop: shop.domain,
      sessionToken: sessionTokenFor(shop.domain),
      requestedTokenType: RequestedTokenType.OfflineAccessToken,
    });
    expect(session.accessToken).toMatch(/^shpat_/);
    expect(session.accessToken).not.toBe(shop.accessToken);
    expect(session.scope).toBe("read_products,read_inventory,read_locations");
    const client = new api.clients.Graphql({ session });
    const response = await client.request(SHOP_QUERY);
    expect(response.data).toMatchObject({ shop: { myshopifyDomain: shop.domain } });

    const online = await api.auth.tokenExchange({
      shop: shop.domain,
      sessionToken: sessionTokenFor(shop.domain),
      requestedTokenType: RequestedTokenType.OnlineAccessToken,
    });
    expect(online.session.isOnline).toBe(true);
    expect(online.session.onlineAccessInfo?.associated_user.id).toBe(42);
  });

  it("refuses a session token not signed with the app's secret, and the wrong client secret", async () => {
    const shop = createTestShop(emulator);
    const forged = await tokenRequest(shop.domain, {
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: sessionTokenFor(shop.domain, "not-the-secret"),
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    });
    expect(forged).toMatchObject({ status: 400, json: { error: "invalid_subject_token" } });
    const wrongClient = await tokenRequest(shop.domain, { client_secret: "nope", code: "x" });
    expect(wrongClient).toMatchObject({ status: 401, json: { error: "invalid_client" } });
  });

  it("supports the authorization-code grant once per code, and expiring tokens with a refresh token", async () => {
    const shop = createTestShop(emulator);
    const { code } = emulator.control.issueAuthCode({ shop: shop.domain });
    const granted = await tokenRequest(shop.domain, { code, expiring: "1" });
    expect(granted.status).toBe(200);
    expect(granted.json).toMatchObject({
      scope: "read_products,read_inventory,read_locations",
      expires_in: 3600,
      refresh_token_expires_in: 7_776_000,
    });
    const token = String(granted.json.access_token);
    expect((await rawGraphql(emulator, shop.domain, token, "{ shop { name } }")).status).toBe(200);
    expect((await tokenRequest(shop.domain, { code })).status).toBe(400);
    const refreshed = await tokenRequest(shop.domain, {
      grant_type: "refresh_token",
      refresh_token: String(granted.json.refresh_token),
    });
    expect(refreshed.status).toBe(200);
    expect(
      (await rawGraphql(emulator, shop.domain, String(refreshed.json.access_token), "{ shop { name } }")).status,
    ).toBe(200);
  });
});
