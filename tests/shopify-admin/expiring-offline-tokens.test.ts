import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { syncInventory } from "../../app/inventory/sync-inventory.server";
import { PermanentJobError } from "../../app/worker/define-task.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { createInventorySyncTask } from "../../app/worker/tasks/inventory-sync.server";
import { createAdminClient, type AdminClientEvent } from "../../app/shopify-admin/admin-client.server";
import { adminClientForShop } from "../../app/shopify-admin/client-for-shop.server";
import {
  ShopifyAccessRevokedError,
  ShopifyHttpError,
  ShopifyTokenRefreshFailedError,
} from "../../app/shopify-admin/errors";
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
  const granted = (await response.json()) as {
    access_token: string;
    expires_in: number;
    refresh_token: string;
    refresh_token_expires_in: number;
  };
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

    // The paged read, many requests long (a bulk read of these 1,400 levels would be a handful of requests).
    const result = await syncInventory({
      shop,
      client,
      now: clock.now,
      pageSize: 10,
      bulkReadMinLevels: Number.POSITIVE_INFINITY,
    });

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
    await prisma.session.update({
      where: { id: offlineSessionId(shop) },
      data: { expires: new Date(nowMs() + 24 * 60 * MINUTE) },
    });
    const counter = refreshCounter();
    const events: AdminClientEvent[] = [];
    const client = createAdminClient({
      shop,
      accessToken: offlineTokenSource(shop, { now: nowMs, fetch: counter.fetch }),
      onEvent: (e) => events.push(e),
    });

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
    const client = createAdminClient({
      shop,
      accessToken: offlineTokenSource(shop, { now: nowMs, fetch: counter.fetch }),
    });

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
    await prisma.session.update({
      where: { id: offlineSessionId(shop) },
      data: { refreshTokenExpires: new Date(nowMs() - 1) },
    });
    const counter = refreshCounter();
    await expect(offlineTokenSource(shop, { now: nowMs, fetch: counter.fetch }).current()).rejects.toBeInstanceOf(
      ShopifyTokenRefreshFailedError,
    );
    expect(counter.refreshes).toBe(0);
  });
});

describe("a token endpoint failing with a 5xx while refreshing", () => {
  it("is transient: the job is retried later, the shop stays active, the refresh token is kept and works on the retry", async () => {
    const { shop, granted } = await installedWithExpiringToken("refresh-503.myshopify.com");
    clock.advance(55 * MINUTE); // inside the refresh margin
    emulator.control.injectFault({ shop, fault: { kind: "tokenHttp", status: 503 } });
    const task = createInventorySyncTask({ clientFor: (s) => adminClientForShop(s, { now: nowMs }) });
    const helpers = fakeHelpers();

    await task({ shop }, helpers);

    expect(helpers.added).toHaveLength(1); // the next attempt, queued with backoff
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(true);
    expect(await storedSession(shop)).toMatchObject({
      accessToken: granted.access_token,
      refreshToken: granted.refresh_token,
    });
    expect(await prisma.alert.count({ where: { shop, type: "SYNC_FAILURE" } })).toBe(0);

    await task({ shop, _retry: { attempt: 2 } }, fakeHelpers());

    const session = await storedSession(shop);
    expect(session.refreshToken).not.toBe(granted.refresh_token);
    expect(session.expires!.getTime()).toBeGreaterThan(nowMs() + 50 * MINUTE);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(true);
  });

  it("a lost answer too: Shopify spent the refresh token, yet the retry with it gets a pair and the shop stays active", async () => {
    const { shop, granted } = await installedWithExpiringToken("refresh-lost.myshopify.com");
    clock.advance(55 * MINUTE); // inside the refresh margin
    // Shopify refreshes, but the connection drops before its answer: the app still holds the refresh token it sent.
    emulator.control.injectFault({ shop, fault: { kind: "tokenAnswerLost" } });
    const task = createInventorySyncTask({ clientFor: (s) => adminClientForShop(s, { now: nowMs }) });
    const helpers = fakeHelpers();

    await task({ shop }, helpers);

    expect(helpers.added).toHaveLength(1); // the next attempt, queued with backoff
    expect(await storedSession(shop)).toMatchObject({ refreshToken: granted.refresh_token });

    await task({ shop, _retry: { attempt: 2 } }, fakeHelpers());

    const session = await storedSession(shop);
    expect(session.refreshToken).not.toBe(granted.refresh_token);
    expect(session.expires!.getTime()).toBeGreaterThan(nowMs() + 50 * MINUTE);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(true);
    expect(await prisma.alert.count({ where: { shop } })).toBe(0);
  });

  it("after a 401 too: the request fails as transient, not as a revoked access", async () => {
    const { shop, granted } = await installedWithExpiringToken("refresh-401-503.myshopify.com");
    emulator.control.injectFault({ shop, fault: { kind: "unauthorized" } });
    emulator.control.injectFault({ shop, fault: { kind: "tokenHttp", status: 502 } });
    const client = createAdminClient({ shop, accessToken: offlineTokenSource(shop, { now: nowMs }) });

    const failure = await client.request(SHOP_QUERY, {}).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ShopifyHttpError);
    expect(failure).not.toBeInstanceOf(ShopifyAccessRevokedError);
    expect((await storedSession(shop)).refreshToken).toBe(granted.refresh_token);
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

/** A shop installed before expiring tokens were turned on: its stored session holds a non-expiring token. */
async function installedWithNonExpiringToken(domain: string, products = 2) {
  const shop = await emulatedShop(emulator, { domain, products });
  await prisma.session.create({
    data: { id: offlineSessionId(domain), shop: domain, state: "", isOnline: false, accessToken: shop.accessToken },
  });
  return shop;
}

function inventorySyncTask() {
  return createInventorySyncTask({ clientFor: (s) => adminClientForShop(s, { now: nowMs }) });
}

describe("a shop with a non-expiring offline token (installed before expiring tokens)", () => {
  it("is migrated on first use: it ends with an expiring token and a refresh token, and its jobs keep working", async () => {
    const { shop, accessToken: original } = await installedWithNonExpiringToken("migrate.myshopify.com");

    await inventorySyncTask()({ shop }, fakeHelpers());

    const migrated = await storedSession(shop);
    expect(migrated.accessToken).not.toBe(original);
    expect(migrated.refreshToken).toMatch(/^shprt_/);
    expect(migrated.expires!.getTime()).toBeGreaterThan(nowMs());
    expect(migrated.refreshTokenExpires!.getTime()).toBeGreaterThan(migrated.expires!.getTime());
    // Shopify takes the old token no more; the new one works.
    expect((await rawGraphql(emulator, shop, original, "{ shop { name } }")).status).toBe(401);
    expect((await rawGraphql(emulator, shop, migrated.accessToken, "{ shop { name } }")).status).toBe(200);
    const [event] = await prisma.syncEvent.findMany({ where: { shop, eventType: "INVENTORY_SYNC" } });
    expect(event).toMatchObject({ status: "SUCCESS" });

    // Two hours on: the migrated token expired, the next job refreshes it with the stored refresh token.
    clock.advance(120 * MINUTE);
    await inventorySyncTask()({ shop }, fakeHelpers());
    const refreshed = await storedSession(shop);
    expect(refreshed.accessToken).not.toBe(migrated.accessToken);
    expect(refreshed.refreshToken).not.toBe(migrated.refreshToken);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(true);
  });

  it("two jobs at once migrate it once: the second takes the pair the first stored", async () => {
    const { shop, accessToken: original } = await installedWithNonExpiringToken("migrate-concurrent.myshopify.com");
    const counter = refreshCounter(150);

    const [first, second] = await Promise.all([
      offlineTokenSource(shop, { now: nowMs, fetch: counter.fetch }).current(),
      offlineTokenSource(shop, { now: nowMs, fetch: counter.fetch }).current(),
    ]);

    expect(counter.refreshes).toBe(1);
    expect(first).toBe(second);
    expect(first).not.toBe(original);
  });

  it("a lost migration answer is recovered: the 401 for the old token exchanges it again and gets the same pair", async () => {
    const { shop, accessToken: original } = await installedWithNonExpiringToken("migrate-lost.myshopify.com");
    // Shopify migrates the token, but its answer never arrives: the app still holds the old token, which Shopify
    // now rejects.
    emulator.control.injectFault({ shop, fault: { kind: "tokenAnswerLost" } });
    const events: AdminClientEvent[] = [];
    const client = createAdminClient({
      shop,
      accessToken: offlineTokenSource(shop, { now: nowMs }),
      onEvent: (e) => events.push(e),
    });

    const data = await client.request(SHOP_QUERY, {});

    expect(data.shop).toBeTruthy();
    expect(events.filter((e) => e.type === "unauthorized")).toEqual([{ type: "unauthorized", retrying: true }]);
    const session = await storedSession(shop);
    expect(session.accessToken).not.toBe(original);
    expect(session.refreshToken).toMatch(/^shprt_/);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(true);
  });

  it("a migration Shopify fails (5xx) leaves the old token in use and the session as it was; a later job migrates", async () => {
    const { shop, accessToken: original } = await installedWithNonExpiringToken("migrate-5xx.myshopify.com");
    emulator.control.injectFault({ shop, fault: { kind: "tokenHttp", status: 503 } });

    await inventorySyncTask()({ shop }, fakeHelpers());

    const session = await storedSession(shop);
    expect(session).toMatchObject({ accessToken: original, expires: null, refreshToken: null });
    const [event] = await prisma.syncEvent.findMany({ where: { shop, eventType: "INVENTORY_SYNC" } });
    expect(event).toMatchObject({ status: "SUCCESS" });

    await inventorySyncTask()({ shop }, fakeHelpers());
    expect((await storedSession(shop)).refreshToken).toMatch(/^shprt_/);
  });

  it("a refused migration of a token Shopify still takes: the job goes on with it, and the refusal is logged", async () => {
    const { shop, accessToken: original } = await installedWithNonExpiringToken("migrate-refused.myshopify.com");
    // Shopify answers the exchange 400 and does nothing, while its Admin API still takes the old token.
    emulator.control.injectFault({ shop, fault: { kind: "tokenRefused" } });
    const counter = refreshCounter();
    const client = createAdminClient({
      shop,
      accessToken: offlineTokenSource(shop, { now: nowMs, fetch: counter.fetch }),
    });

    await client.request(SHOP_QUERY, {});
    await client.request(SHOP_QUERY, {});

    expect(counter.refreshes).toBe(1); // tried once per job, not before every request
    expect(await storedSession(shop)).toMatchObject({ accessToken: original, expires: null, refreshToken: null });
  });

  it("a refused migration of a token Shopify rejects too is a lost access: the shop is deactivated, saying why", async () => {
    const { shop } = await installedWithNonExpiringToken("migrate-revoked.myshopify.com");
    emulator.control.revokeTokens({ shop });
    const helpers = fakeHelpers();

    await expect(inventorySyncTask()({ shop }, helpers)).rejects.toBeInstanceOf(PermanentJobError);

    expect(helpers.added).toHaveLength(0);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(false);
    const [event] = await prisma.syncEvent.findMany({ where: { shop, eventType: "INVENTORY_SYNC" } });
    expect(event).toMatchObject({ status: "FAILURE" });
    expect(event.errorMessage).toContain("refused to migrate the non-expiring offline token");
  });
});
