import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index";
import { createTestShop, rawGraphql, startTestEmulator, TEST_API_KEY, TEST_API_SECRET } from "../support/emulator";

// Expiring offline access tokens, as Shopify issues them to public apps: an access token works for an hour, its
// refresh token once. Time is the emulator's clock, so a test compresses the hour.

let offsetMs = 0;
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator({ now: () => new Date(Date.now() + offsetMs) });
});
afterAll(() => emulator.stop());

async function tokenRequest(shop: string, body: Record<string, string>) {
  const response = await fetch(`${emulator.url}/shops/${shop}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_id: TEST_API_KEY, client_secret: TEST_API_SECRET, ...body }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("expiring offline access tokens", () => {
  it("stop working after an hour; the refresh token gives a new pair once, and rotates", async () => {
    const shop = createTestShop(emulator, { domain: "expiring.myshopify.com" });
    const { code } = emulator.control.issueAuthCode({ shop: shop.domain });
    const granted = await tokenRequest(shop.domain, { code, expiring: "1" });
    const token = String(granted.json.access_token);
    expect((await rawGraphql(emulator, shop.domain, token, "{ shop { name } }")).status).toBe(200);

    offsetMs += 3_000_000;
    expect((await rawGraphql(emulator, shop.domain, token, "{ shop { name } }")).status).toBe(200);
    offsetMs += 600_000;
    expect((await rawGraphql(emulator, shop.domain, token, "{ shop { name } }")).status).toBe(401);
    // A token issued without `expiring` (the shop's own) keeps working.
    expect((await rawGraphql(emulator, shop.domain, shop.accessToken, "{ shop { name } }")).status).toBe(200);

    const refreshed = await tokenRequest(shop.domain, { grant_type: "refresh_token", refresh_token: String(granted.json.refresh_token) });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).not.toBe(granted.json.refresh_token);
    expect((await rawGraphql(emulator, shop.domain, String(refreshed.json.access_token), "{ shop { name } }")).status).toBe(200);
    const reused = await tokenRequest(shop.domain, { grant_type: "refresh_token", refresh_token: String(granted.json.refresh_token) });
    expect(reused).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
  });

  it("expireAccessTokens ends the hour of a shop's expiring tokens now, the clock unmoved; the refresh token still works", async () => {
    const shop = createTestShop(emulator, { domain: "expire-now.myshopify.com" });
    const { code } = emulator.control.issueAuthCode({ shop: shop.domain });
    const granted = await tokenRequest(shop.domain, { code, expiring: "1" });
    const token = String(granted.json.access_token);
    expect((await rawGraphql(emulator, shop.domain, token, "{ shop { name } }")).status).toBe(200);

    expect(emulator.control.expireAccessTokens({ shop: shop.domain })).toEqual({ expired: 1 });
    expect((await rawGraphql(emulator, shop.domain, token, "{ shop { name } }")).status).toBe(401);
    expect((await rawGraphql(emulator, shop.domain, shop.accessToken, "{ shop { name } }")).status).toBe(200);
    const refreshed = await tokenRequest(shop.domain, { grant_type: "refresh_token", refresh_token: String(granted.json.refresh_token) });
    expect(refreshed.status).toBe(200);
    expect((await rawGraphql(emulator, shop.domain, String(refreshed.json.access_token), "{ shop { name } }")).status).toBe(200);
  });
});
