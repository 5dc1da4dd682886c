import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { MANUAL_SYNC_INTERVAL_MS, requestManualProductSync } from "../../app/merchants/manual-sync.server";
import type * as IndexRoute from "../../app/routes/app._index";
import { queuedJobs } from "../support/jobs";
import { embeddedRequest, startShopifyAppUnderTest, type ShopifyAppUnderTest } from "../merchants/support/shopify-app";

// The merchant's home page, authenticated as the embedded app is (a session token signed with the app's secret):
// one shop's data only, whatever the URL or the form says; "sync now" limited to one per 10 minutes, in the database.

const SHOP_A = "home-a.myshopify.com";
const SHOP_B = "home-b.myshopify.com";

let app: ShopifyAppUnderTest;
let route: typeof IndexRoute;

async function load(shop: string, path = "/app") {
  const response = await route.loader({ request: embeddedRequest(shop, path), params: {}, context: {} });
  return response.json();
}

async function syncNow(shop: string, form: Record<string, string> = { intent: "sync-now" }) {
  const request = embeddedRequest(shop, "/app?index", { method: "POST", body: new URLSearchParams(form) });
  try {
    return await route.action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  route = await import("../../app/routes/app._index");
  for (const shop of [SHOP_A, SHOP_B]) {
    app.emulator.control.createShop({ domain: shop });
    await load(shop); // installs: token exchange and afterAuth create the connection
  }
  await prisma.merchantConnection.updateMany({ data: { approvalStatus: "APPROVED" } });
  for (const [shop, title] of [
    [SHOP_A, "Lamp"],
    [SHOP_B, "Secret B product"],
  ]) {
    await pgPool().query(
      `INSERT INTO product (shop, id, title, status, selected, listed) VALUES ($1, 7, $2, 'ACTIVE', true, true)`,
      [shop, title],
    );
    await pgPool().query(
      `INSERT INTO product_variant (shop, id, product_id, title, price) VALUES ($1, 70, 7, 'Large', NULL)`,
      [shop],
    );
    await prisma.integrityFinding.create({
      data: {
        runId: "r",
        shop,
        check: "invalid_price",
        entityType: "variant",
        entityId: 70n,
        outcome: "FLAGGED",
        message: "price is missing",
      },
    });
  }
  await pgPool().query(
    `INSERT INTO sync_event (shop, event_type, status, item_count, error_message, created_at) VALUES
       ($1, 'PRODUCT_SYNC', 'FAILURE', NULL, 'Shopify unavailable', now() - interval '1 hour'),
       ($1, 'PRODUCT_SYNC', 'SUCCESS', 12, NULL, now() - interval '10 minutes'),
       ($1, 'INVENTORY_SYNC', 'FAILURE', 0, 'token revoked', now() - interval '5 minutes'),
       ($2, 'PRODUCT_SYNC', 'FAILURE', 1, 'B-only error', now())`,
    [SHOP_A, SHOP_B],
  );
});
afterAll(async () => {
  await releaseWorkerUtils();
  await app.stop();
});

describe("the merchant home page", () => {
  it("requires a Shopify session: no token, or one signed with another secret, opens nothing", async () => {
    const thrown = await route
      .loader({ request: new Request("http://127.0.0.1:3999/app"), params: {}, context: {} })
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Response);
    expect([302, 401, 410]).toContain((thrown as Response).status);
  });

  it("shows this shop's approval, listed products, last syncs with outcome, history and findings with a fix link", async () => {
    const page = await load(SHOP_A);
    expect(page.status).toMatchObject({ shop: SHOP_A, approvalStatus: "APPROVED" });
    expect(page.listedProducts).toBe(1);
    expect(page.lastSyncs).toEqual([
      expect.objectContaining({ eventType: "PRODUCT_SYNC", status: "SUCCESS", itemCount: 12 }),
      expect.objectContaining({ eventType: "INVENTORY_SYNC", status: "FAILURE", errorMessage: "token revoked" }),
    ]);
    expect(page.events).toHaveLength(3);
    expect(page.findings).toEqual([
      expect.objectContaining({
        check: "invalid_price",
        productTitle: "Lamp",
        variantTitle: "Large",
        fixUrl: "https://admin.shopify.com/store/home-a/products/7",
      }),
    ]);
  });

  it("never shows another shop's data, whatever the URL says", async () => {
    for (const path of ["/app", `/app?shop=${SHOP_B}`, `/app?shop=${SHOP_B}&host=x`]) {
      const page = await load(SHOP_A, path);
      expect(page.status?.shop).toBe(SHOP_A);
      const text = JSON.stringify(page);
      expect(text).not.toContain("B-only error");
      expect(text).not.toContain("Secret B product");
      expect(text).not.toContain("home-b");
    }
    const b = await load(SHOP_B);
    expect(b.events.map((e) => e.errorMessage)).toEqual(["B-only error"]);
  });

  it("sync now: queues a product sync of the session's shop (not the form's), then refuses for 10 minutes", async () => {
    const first = await syncNow(SHOP_A, { intent: "sync-now", shop: SHOP_B });
    expect(first.status).toBe(200);
    expect((await queuedJobs("product-sync")).map((j) => j.payload.shop)).toEqual([SHOP_A]);

    const second = await syncNow(SHOP_A);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get("Retry-After"))).toBeGreaterThan(500);
    expect((await second.json()).error).toMatch(/less than 10 minutes ago/);
    expect((await load(SHOP_A)).nextManualSyncAt).not.toBeNull();
    // Shop B's limit is its own.
    expect((await syncNow(SHOP_B)).status).toBe(200);
    expect((await syncNow(SHOP_A, { intent: "bogus" })).status).toBe(400);
  });

  it("the limit lives in the database and reopens after the interval; unapproved or paused shops are refused", async () => {
    const { lastManualSyncAt } = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop: SHOP_A } });
    expect(lastManualSyncAt).not.toBeNull();
    const later = new Date(lastManualSyncAt!.getTime() + MANUAL_SYNC_INTERVAL_MS + 1);
    await expect(requestManualProductSync(SHOP_A, new Date(later.getTime() - 2))).rejects.toMatchObject({
      code: "RATE_LIMITED",
    });
    expect(await requestManualProductSync(SHOP_A, later)).toMatch(/^Product sync started/);

    await prisma.merchantConnection.update({
      where: { shop: SHOP_B },
      data: { syncPaused: true, lastManualSyncAt: null },
    });
    await expect(requestManualProductSync(SHOP_B)).rejects.toMatchObject({ code: "SYNC_NOT_ALLOWED" });
    await expect(requestManualProductSync("nobody.myshopify.com")).rejects.toMatchObject({
      code: "CONNECTION_NOT_FOUND",
    });
  });
});
