import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { syncInventory } from "../../app/inventory/sync-inventory.server";
import { PermanentJobError } from "../../app/jobs/define-task.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { createInventorySyncTask } from "../../app/jobs/tasks/inventory-sync.server";
import { createAdminClient, type AdminClientEvent } from "../../app/shopify-admin/admin-client.server";
import { adminClientForShop } from "../../app/shopify-admin/client-for-shop.server";
import { ShopifyAccessRevokedError, ShopifyTokenRefreshFailedError } from "../../app/shopify-admin/errors";
import { offlineSessionId, offlineTokenSource } from "../../app/shopify-admin/offline-token.server";
import { SHOP_QUERY } from "../../app/shopify-admin/operations";
import type { RunningEmulator } from "../../emulator";
import { adjustableClock, emulatedShop } from "../inventory/emulated-shop";
import { rawGraphql, startTestEmulator } from "../support/emulator";
import { TEST_API_KEY, TEST_API_SECRET } from "../support/test-environment";
import { fakeHelpers } from "../support/jobs";

// Expiring offline access tokens against the emulator over real HTTP: an access token lasts an hour on the
// emulator's clock, its refresh token works once and is rotated. The app reads the session per request, refreshes
// shortly before expiry and once after a 401, under the session row's lock.

const MINUTE = 60_000;
const clock = adjustableClock();
const nowMs = () => clock.now().getTime();
let emulator: RunningEmulator;

beforeAll(async () => {
  // The app's own key and secret: the app refreshes with the credentials it is configured with.
  emulator = await startTestEmulator({ now: clock.now, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  process.env.SHOPIFY_ADMIN_API_BASE = emulator.url;
});
afterAll(async () => {
  await emulator?.stop();
  await releaseWorkerUtils();
  delete process.env.SHOPIFY_ADMIN_API_BASE;
});

/** A shop whose app was installed with an expiring offline token (authorization code, `expiring=1`). */
async function installedWithExpiringToken(domain: string, products = 2) {
  const shop = await emulatedShop(emulator, { domain, products });
  const { code } = emulator.control.issueAuthCode({ shop: domain });
  const response = await fetch(`${emulator.url}/shops/${domain}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_id: TEST_API_KEY, client_secret: TEST_API_SECRET, code, expiring: "1" }),
  });
  const granted = (await response.json()) as { access_token: string; expires_in: number; refresh_token: string; refresh_token_expires_in: number };
  await prisma.session.create({
    data: {
      id: offlineSessionId(domain),
      shop: domain,
      state: "",
      isOnline: false,
      accessToken: granted.access_token,
      expires: new Date(nowMs() + granted.expires_in * 1000),
      refreshToken: granted.refresh_token,
      refreshTokenExpires: new Date(nowMs() + granted.refresh_token_expires_in * 1000),
    },
  });
  return { ...shop, granted };
}

/** Real fetch, counting the token refreshes that go out; `delayMs` holds each one back a little. */
function refreshCounter(delayMs = 0) {
  const counter = {
    refreshes: 0,
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      counter.refreshes++;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return fetch(input, init);
    }) as typeof fetch,
  };
  return counter;
}

const storedSession = (shop: string) => prisma.session.findUniqueOrThrow({ where: { id: offlineSessionId(shop) } });

describe("a job with an expiring offline token", () => {
  it("outlives its token: refreshed shortly before expiry, never a 401, each refresh with the rotated refresh token", async () => {
    const { shop, granted } = await installedWithExpiringToken("long-job.myshopify.com", 700);
    const counter = refreshCounter();
    const events: AdminClientEvent[] = [];
    const client = createAdminClient({
      shop,
      accessToken: offlineTokenSource(shop, { now: nowMs, fetch: counter.fetch }),
      // Each answer takes 25 minutes of the emulator's clock: the sync spans several token lifetimes.
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        clock.advance(25 * MINUTE);
        return response;
      },
      onEvent: (event) => events.push(event),
    });

    const result = await syncInventory({ shop, client, now: clock.now, pageSize: 10 });

    expect(result.levels).toBe(1400);
    expect(client.stats.requests).toBeGreaterThanOrEqual(6); // 250 levels a page at most: 150+ minutes
    expect(events.filter((e) => e.type === "unauthorized")).toEqual([]);
    // Two or more refreshes: the second works only with the refresh token the first one stored.
    expect(counter.refreshes).toBeGreaterThanOrEqual(2);
    const session = await storedSession(shop);
    expect(session.accessToken).not.toBe(granted.access_token);
    expect(session.refreshToken).not.toBe(granted.refresh_token);
    expect(session.expires!.getTime()).toBeGreaterThan(nowMs());
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(true);
  });

  it("a 401 before the stored expiry: exactly one refresh and one retry", async () => {
    const { shop, granted } = await installedWithExpiringToken("early-401.myshopify.com");
    // Shopify stopped taking the token while the app still thinks it has a day left.
    clock.advance(61 * MINUTE);
    await prisma.session.update({ where: { id: offlineSessionId(shop) }, data: { expires: new Date(nowMs() + 24 * 60 * MINUTE) } });
    const counter = refreshCounter();
    const events: AdminClientEvent[] = [];
    const client = createAdminClient({ shop, accessToken: offlineTokenSource(shop, { now: nowMs, fetch: counter.fetch }), onEvent: (e) => events.push(e) });

    const data = await client.request(SHOP_QUERY, {});

    expect(data.shop).toBeTruthy();
    expect(counter.refreshes).toBe(1);
    expect(client.stats.requests).toBe(2);
    expect(events.filter((e) => e.type === "unauthorized")).toEqual([{ type: "unauthorized", retrying: true }]);
    expect((await storedSession(shop)).accessToken).not.toBe(granted.access_token);
  });

  it("a 401 again with the refreshed token is a revoked access: no second refresh, no third try", async () => {
    const { shop } = await installedWithExpiringToken("second-401.myshopify.com");
    emulator.control.injectFault({ shop, fault: { kind: "unauthorized", count: 2 } });
    const counter = refreshCounter();
    const client = createAdminClient({ shop, accessToken: offlineTokenSource(shop, { now: nowMs, fetch: counter.fetch }) });

    await expect(client.request(SHOP_QUERY, {})).rejects.toBeInstanceOf(ShopifyAccessRevokedError);

    expect(counter.refreshes).toBe(1);
    expect(client.stats.requests).toBe(2);
  });

  it("a refused refresh (the app's access revoked) deactivates the shop and raises the revoked-access alert", async () => {
    const { shop } = await installedWithExpiringToken("refused-refresh.myshopify.com");
    emulator.control.revokeTokens({ shop }); // access and refresh tokens
    const task = createInventorySyncTask({ clientFor: (s) => adminClientForShop(s, { now: nowMs }) });
    const helpers = fakeHelpers();

    await expect(task({ shop }, helpers)).rejects.toBeInstanceOf(PermanentJobError);

    expect(helpers.added).toHaveLength(0); // no retry queued
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(false);
    const [event] = await prisma.syncEvent.findMany({ where: { shop, eventType: "INVENTORY_SYNC" } });
    expect(event).toMatchObject({ status: "FAILURE" });
    expect(event.errorMessage).toContain("refused to refresh");
    expect(await prisma.alert.count({ where: { shop, type: "SYNC_FAILURE", jobType: TASK.inventorySync } })).toBe(1);
  });

  it("an expired refresh token is not sent: the refresh fails as refused", async () => {
    const { shop } = await installedWithExpiringToken("expired-refresh.myshopify.com");
    clock.advance(61 * MINUTE);
    await prisma.session.update({ where: { id: offlineSessionId(shop) }, data: { refreshTokenExpires: new Date(nowMs() - 1) } });
    const counter = refreshCounter();
    await expect(offlineTokenSource(shop, { now: nowMs, fetch: counter.fetch }).current()).rejects.toBeInstanceOf(ShopifyTokenRefreshFailedError);
    expect(counter.refreshes).toBe(0);
  });
});

describe("two refreshes of one shop at once", () => {
  it("spend the refresh token once: the second waits for the lock and takes the token the first stored", async () => {
    const { shop, granted } = await installedWithExpiringToken("concurrent.myshopify.com");
    clock.advance(55 * MINUTE); // inside the refresh margin
    const counter = refreshCounter(150);
    // Two jobs of the shop, each with its own token source, as two workers would have.
    const [first, second] = await Promise.all([
      offlineTokenSource(shop, { now: nowMs, fetch: counter.fetch }).current(),
      offlineTokenSource(shop, { now: nowMs, fetch: counter.fetch }).current(),
    ]);

    expect(counter.refreshes).toBe(1);
    expect(first).toBe(second);
    expect(first).not.toBe(granted.access_token);
    const session = await storedSession(shop);
    expect(session.accessToken).toBe(first);
    expect((await rawGraphql(emulator, shop, first, "{ shop { name } }")).status).toBe(200);

    // The stored refresh token is the live one: the next refresh works.
    clock.advance(55 * MINUTE);
    const next = await offlineTokenSource(shop, { now: nowMs }).current();
    expect(next).not.toBe(first);
  });
});
