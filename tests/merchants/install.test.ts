import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { queuedJobs } from "../support/jobs";
import { embeddedRequest, startShopifyAppUnderTest, type ShopifyAppUnderTest } from "./support/shopify-app";
// Type-only: the module itself is imported in beforeAll, after the emulator is set up.
import type * as AppRoute from "../../app/routes/app";

let app: ShopifyAppUnderTest;
let appLoader: typeof AppRoute.loader;

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  // Imported only now: app/shopify.server.ts reads SHOPIFY_ADMIN_API_BASE when it is first loaded.
  ({ loader: appLoader } = await import("../../app/routes/app"));
});
afterAll(() => app.stop());

async function openEmbeddedApp(shop: string) {
  const response = await appLoader({ request: embeddedRequest(shop, "/app"), params: {}, context: {} });
  return response;
}

describe("install through token exchange", () => {
  it("creates a PENDING connection with the shop's primary location and stores the offline session", async () => {
    const shop = "fresh-install.myshopify.com";
    const created = app.emulator.control.createShop({
      domain: shop,
      name: "Fresh Goods",
      locations: ["Main warehouse", "Overflow"],
    });
    const primary = created.locations.find((l) => l.isPrimary)!;

    const before = Date.now();
    await openEmbeddedApp(shop);

    const connection = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } });
    expect(connection).toMatchObject({
      active: true,
      approvalStatus: "PENDING",
      defaultLocationId: BigInt(primary.legacyResourceId),
      shopName: "Fresh Goods",
      plan: "Basic",
      uninstalledAt: null,
      purgeAfter: null,
    });
    expect(connection.merchantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(connection.installedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // The offline session holds the token issued by the exchange (the name, plan and location above were read
    // with it), not the shop's seeded one.
    const session = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });
    expect(session.accessToken).toMatch(/^shpat_/);
    expect(session.accessToken).not.toBe(created.accessToken);
    // A PENDING merchant is not synced.
    expect(await queuedJobs()).toEqual([]);
  });

  it("runs once per new token: opening the app again changes nothing", async () => {
    const shop = "twice.myshopify.com";
    app.emulator.control.createShop({ domain: shop });
    await openEmbeddedApp(shop);
    const first = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } });
    await openEmbeddedApp(shop);
    const second = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } });
    expect(second).toEqual(first);
    expect(await prisma.merchantConnection.count({ where: { shop } })).toBe(1);
  });

  it("refuses a session token signed with another secret, creating nothing", async () => {
    const shop = "forged.myshopify.com";
    app.emulator.control.createShop({ domain: shop });
    const request = embeddedRequest(shop, "/app");
    const [header, payload] = request.headers.get("Authorization")!.slice("Bearer ".length).split(".");
    request.headers.set("Authorization", `Bearer ${header}.${payload}.${Buffer.from("forged").toString("base64url")}`);
    const outcome = await appLoader({ request, params: {}, context: {} }).catch((thrown: unknown) => thrown);
    expect(outcome).toBeInstanceOf(Response);
    expect((outcome as Response).status).toBe(401);
    expect(await prisma.merchantConnection.findUnique({ where: { shop } })).toBeNull();
  });
});
