import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { embeddedRequest, startShopifyAppUnderTest, type ShopifyAppUnderTest } from "./support/shopify-app";
// Type-only: the modules themselves are imported in beforeAll, after the emulator is set up.
import type * as AppRoute from "../../app/routes/app";
import type * as ShopifyServer from "../../app/shopify.server";

// The real shopifyApp() configuration with expiring offline tokens: what install stores, and how the library's own
// session loading (webhooks, unauthenticated.admin) refreshes: under the session row's lock, like the jobs.

let app: ShopifyAppUnderTest;
let appLoader: typeof AppRoute.loader;
let unauthenticated: typeof ShopifyServer.unauthenticated;

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  ({ loader: appLoader } = await import("../../app/routes/app"));
  ({ unauthenticated } = await import("../../app/shopify.server"));
});
afterAll(() => app.stop());

const offlineSession = (shop: string) => prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });

async function install(shop: string) {
  app.emulator.control.createShop({ domain: shop });
  await appLoader({ request: embeddedRequest(shop, "/app"), params: {}, context: {} });
  return offlineSession(shop);
}

describe("expiring offline access tokens in the app's configuration", () => {
  it("install stores an expiring token: its expiry, a refresh token and the refresh token's expiry", async () => {
    const before = Date.now();
    const session = await install("expiring-install.myshopify.com");
    expect(session.expires).not.toBeNull();
    // 3,600 s, as Shopify issues them.
    expect(session.expires!.getTime() - before).toBeGreaterThan(55 * 60_000);
    expect(session.expires!.getTime() - before).toBeLessThanOrEqual(61 * 60_000);
    expect(session.refreshToken).toMatch(/^shprt_/);
    expect(session.refreshTokenExpires!.getTime()).toBeGreaterThan(session.expires!.getTime());
  });

  it("the library's loads of a session about to expire refresh it once, under the lock, for two callers at once", async () => {
    const shop = "library-refresh.myshopify.com";
    const installed = await install(shop);
    // One minute left: inside the library's own five-minute margin as well as ours.
    await prisma.session.update({ where: { id: installed.id }, data: { expires: new Date(Date.now() + 60_000) } });

    const [first, second] = await Promise.all([unauthenticated.admin(shop), unauthenticated.admin(shop)]);

    expect(first.session.accessToken).toBe(second.session.accessToken);
    expect(first.session.accessToken).not.toBe(installed.accessToken);
    const stored = await offlineSession(shop);
    expect(stored.accessToken).toBe(first.session.accessToken);
    expect(stored.refreshToken).not.toBe(installed.refreshToken);
    // The stored refresh token is the live one.
    await prisma.session.update({ where: { id: installed.id }, data: { expires: new Date(Date.now() + 60_000) } });
    const again = await unauthenticated.admin(shop);
    expect(again.session.accessToken).not.toBe(stored.accessToken);
  });

  it("the library's load of a shop still on a non-expiring token migrates it first (webhooks, unauthenticated.admin)", async () => {
    const shop = "library-migrate.myshopify.com";
    const installed = await install(shop);
    // As a shop installed before expiring tokens were turned on has it: a token that never expires, nothing else.
    const original = app.emulator.control.getShop({ shop }).accessToken;
    await prisma.session.update({
      where: { id: installed.id },
      data: { accessToken: original, expires: null, refreshToken: null, refreshTokenExpires: null },
    });

    const { session } = await unauthenticated.admin(shop);

    expect(session.accessToken).not.toBe(original);
    const stored = await offlineSession(shop);
    expect(stored.accessToken).toBe(session.accessToken);
    expect(stored.refreshToken).toMatch(/^shprt_/);
    expect(stored.expires).not.toBeNull();
  });
});
