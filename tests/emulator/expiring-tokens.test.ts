import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index";
import { createTestShop, rawGraphql, startTestEmulator, TEST_API_KEY, TEST_API_SECRET } from "../support/emulator";

// Expiring offline access tokens, as Shopify issues them to public apps: an access token works for an hour; a refresh
// token used once can be used again (an answer lost) until its replacement is used, for 30 days at the most. Time is
// the emulator's clock, so a test compresses the hour.

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
  it("stop working after an hour; the refresh token gives a new pair and rotates", async () => {
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

    const refreshed = await tokenRequest(shop.domain, {
      grant_type: "refresh_token",
      refresh_token: String(granted.json.refresh_token),
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).not.toBe(granted.json.refresh_token);
    expect(
      (await rawGraphql(emulator, shop.domain, String(refreshed.json.access_token), "{ shop { name } }")).status,
    ).toBe(200);
    // Its replacement used, the refresh token is retired.
    const next = await tokenRequest(shop.domain, {
      grant_type: "refresh_token",
      refresh_token: String(refreshed.json.refresh_token),
    });
    expect(next.status).toBe(200);
    const reused = await tokenRequest(shop.domain, {
      grant_type: "refresh_token",
      refresh_token: String(granted.json.refresh_token),
    });
    expect(reused).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
  });

  it("a refresh whose answer was lost can be retried with the same refresh token until its replacement is used, for 30 days", async () => {
    const shop = createTestShop(emulator, { domain: "lost-refresh.myshopify.com" });
    const { code } = emulator.control.issueAuthCode({ shop: shop.domain });
    const granted = await tokenRequest(shop.domain, { code, expiring: "1" });
    const refresh = (token: unknown) =>
      tokenRequest(shop.domain, { grant_type: "refresh_token", refresh_token: String(token) });

    const lost = await refresh(granted.json.refresh_token); // the app never stored this answer
    expect(lost.status).toBe(200);
    const retried = await refresh(granted.json.refresh_token);
    expect(retried.status).toBe(200);
    expect(retried.json.refresh_token).not.toBe(lost.json.refresh_token);
    // Only the latest replacement works; the lost one was replaced by the retry.
    expect(await refresh(lost.json.refresh_token)).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
    expect(
      (await rawGraphql(emulator, shop.domain, String(retried.json.access_token), "{ shop { name } }")).status,
    ).toBe(200);

    // Past 30 days from its first use, the used refresh token is refused even though its replacement never was used.
    offsetMs += 30 * 86_400_000;
    expect(await refresh(granted.json.refresh_token)).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
    expect((await refresh(retried.json.refresh_token)).status).toBe(200);
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

describe("migrating a non-expiring offline token", () => {
  const migration = (token: string) => ({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: token,
    subject_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    expiring: "1",
  });

  it("gives an expiring pair and retires the old token; exchanging it again returns the same pair until it is refreshed", async () => {
    const shop = createTestShop(emulator, { domain: "migrating.myshopify.com" });
    const migrated = await tokenRequest(shop.domain, migration(shop.accessToken));
    expect(migrated.status).toBe(200);
    expect(migrated.json).toMatchObject({ expires_in: 3600, refresh_token: expect.stringMatching(/^shprt_/) });
    expect((await rawGraphql(emulator, shop.domain, shop.accessToken, "{ shop { name } }")).status).toBe(401);
    expect(
      (await rawGraphql(emulator, shop.domain, String(migrated.json.access_token), "{ shop { name } }")).status,
    ).toBe(200);

    // A lost answer is recovered by exchanging the original token again: the same pair.
    const again = await tokenRequest(shop.domain, migration(shop.accessToken));
    expect(again.json).toMatchObject({
      access_token: migrated.json.access_token,
      refresh_token: migrated.json.refresh_token,
    });

    // Once the pair is refreshed, the original token migrates no more.
    expect(
      (
        await tokenRequest(shop.domain, {
          grant_type: "refresh_token",
          refresh_token: String(migrated.json.refresh_token),
        })
      ).status,
    ).toBe(200);
    expect(await tokenRequest(shop.domain, migration(shop.accessToken))).toMatchObject({
      status: 400,
      json: { error: "invalid_subject_token" },
    });
  });

  it("refuses an unknown, revoked or expiring token, and a recovery after seven days", async () => {
    const shop = createTestShop(emulator, { domain: "migrating-refused.myshopify.com" });
    expect((await tokenRequest(shop.domain, migration("shpat_unknown"))).status).toBe(400);
    const { code } = emulator.control.issueAuthCode({ shop: shop.domain });
    const expiring = await tokenRequest(shop.domain, { code, expiring: "1" });
    expect((await tokenRequest(shop.domain, migration(String(expiring.json.access_token)))).status).toBe(400);

    const migrated = await tokenRequest(shop.domain, migration(shop.accessToken));
    expect(migrated.status).toBe(200);
    offsetMs += 7 * 86_400_000;
    expect((await tokenRequest(shop.domain, migration(shop.accessToken))).status).toBe(400);

    const other = createTestShop(emulator, { domain: "migrating-revoked.myshopify.com" });
    emulator.control.revokeTokens({ shop: other.domain });
    expect(await tokenRequest(other.domain, migration(other.accessToken))).toMatchObject({
      status: 400,
      json: { error: "invalid_subject_token" },
    });
  });
});
