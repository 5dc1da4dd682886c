import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { TASK } from "../../app/jobs/task-names";
import { changeApproval } from "../../app/merchants/change-approval.server";
import { queuedJobs } from "../support/jobs";
import { embeddedRequest, startShopifyAppUnderTest, type ShopifyAppUnderTest } from "./support/shopify-app";
// Type-only: the module itself is imported in beforeAll, after the emulator is set up.
import type * as ProductsRoute from "../../app/routes/app.products";

// The selection page's loader and action, called as Remix calls them, authenticated as the embedded app is.

const SHOP = "page-owner.myshopify.com";
const NEIGHBOUR = "page-neighbour.myshopify.com";

let app: ShopifyAppUnderTest;
let route: typeof ProductsRoute;
let mine: Array<{ legacyResourceId: number; title: string }>;
let theirs: Array<{ legacyResourceId: number }>;

type ActionResult = { data: { ok: boolean; message?: string; error?: string }; init: { status?: number } | null };

async function load(search = "") {
  return route.loader({ request: embeddedRequest(SHOP, `/app/products${search}`), params: {}, context: {} });
}

async function act(form: Record<string, string>): Promise<{ status: number; body: ActionResult["data"] }> {
  const request = embeddedRequest(SHOP, "/app/products", { method: "POST", body: new URLSearchParams(form) });
  const result = (await route.action({ request, params: {}, context: {} })) as unknown as ActionResult;
  return { status: result.init?.status ?? 200, body: result.data };
}

async function selectedIds() {
  const { rows } = await pgPool().query<{ id: string }>(
    "SELECT id::text FROM product WHERE shop = $1 AND selected ORDER BY id",
    [SHOP],
  );
  return rows.map((r) => Number(r.id));
}

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  route = await import("../../app/routes/app.products");
  app.emulator.control.createShop({ domain: SHOP });
  app.emulator.control.seedProducts({ shop: SHOP, products: 8, variantsPerProduct: 1 });
  app.emulator.control.createShop({ domain: NEIGHBOUR });
  app.emulator.control.seedProducts({ shop: NEIGHBOUR, products: 2, variantsPerProduct: 1 });
  mine = app.emulator.control.listProducts({ shop: SHOP, limit: 8 });
  theirs = app.emulator.control.listProducts({ shop: NEIGHBOUR, limit: 2 });

  // The first load installs the app (token exchange + afterAuth); then 6 of the 8 products are "synced".
  await load();
  for (const [i, product] of mine.slice(0, 6).entries()) {
    await pgPool().query(
      `INSERT INTO product (shop, id, title, vendor, status, shopify_updated_at) VALUES ($1, $2, $3, 'Acme', $4::"ProductStatus", now())`,
      [SHOP, product.legacyResourceId, i < 3 ? `Lamp ${i}` : `Chair ${i}`, i === 5 ? "DRAFT" : "ACTIVE"],
    );
  }
  // The neighbour's product is synced too, for the neighbour.
  await prisma.merchantConnection.create({ data: { shop: NEIGHBOUR, merchantId: "n" } });
  await pgPool().query(`INSERT INTO product (shop, id, title, status) VALUES ($1, $2, 'Not yours', 'ACTIVE')`, [
    NEIGHBOUR,
    theirs[0].legacyResourceId,
  ]);
});
afterAll(() => app.stop());

describe("the selection page", () => {
  it("lists the merchant's synced products with search, status filter, pages and counts", async () => {
    const all = await load();
    expect(all.matching).toBe(6);
    expect(all.mode).toBe("CHOSEN");
    expect(all.selectedTotal).toBe(0);
    expect(all.products.map((p) => p.title)).not.toContain("Not yours");

    const lamps = await load("?query=lamp");
    expect(lamps.products.map((p) => p.title)).toEqual(["Lamp 0", "Lamp 1", "Lamp 2"]);
    const drafts = await load("?status=DRAFT");
    expect(drafts.products.map((p) => p.title)).toEqual(["Chair 5"]);
    // A malformed page number falls back to the first page rather than failing.
    expect((await load("?page=abc")).page).toBe(1);
  });

  it("selects one and a page's worth by id, and 'all matching' by the filter", async () => {
    const first = await act({ intent: "select", ids: String(mine[0].legacyResourceId) });
    expect(first).toMatchObject({ status: 200, body: { ok: true, message: "Listed 1 product(s)" } });
    // Ids as the resource picker returns them work too.
    await act({
      intent: "select",
      ids: [mine[1], mine[2]].map((p) => `gid://shopify/Product/${p.legacyResourceId}`).join(","),
    });
    expect(await selectedIds()).toEqual(mine.slice(0, 3).map((p) => p.legacyResourceId));

    await act({ intent: "deselect-matching", query: "lamp" });
    expect(await selectedIds()).toEqual([]);
    const chairs = await act({ intent: "select-matching", query: "chair", status: "ACTIVE" });
    expect(chairs.body.message).toBe("Listed all 2 matching product(s)");
    const view = await load();
    expect(view.selectedTotal).toBe(2);
    expect(view.listedTotal).toBe(2);
  });

  it("refuses another shop's product with a clear error (422) and changes nothing", async () => {
    const before = await selectedIds();
    for (const foreign of [theirs[0], theirs[1]]) {
      const ids = `${mine[0].legacyResourceId},${foreign.legacyResourceId}`;
      const refused = await act({ intent: "select", ids });
      expect(refused.status).toBe(422);
      expect(refused.body).toEqual({
        ok: false,
        error: `Product ${foreign.legacyResourceId} is not ${SHOP}'s; nothing was changed`,
      });
    }
    expect(await selectedIds()).toEqual(before);
  });

  it("answers 400 to a malformed request", async () => {
    expect((await act({ intent: "select", ids: "12; DROP TABLE product" })).status).toBe(400);
    expect((await act({ intent: "select", ids: "" })).status).toBe(400);
    expect((await act({ intent: "explode" })).status).toBe(400);
  });

  it("accepts a product not synced yet once Shopify confirms it is the merchant's, and starts a sync of it", async () => {
    await changeApproval({ shop: SHOP, to: "APPROVED", by: "ops@marketplace.example" });
    await pgPool().query("DELETE FROM graphile_worker._private_jobs");
    const unsynced = mine[7].legacyResourceId;
    const result = await act({ intent: "select", ids: `gid://shopify/Product/${unsynced}` });
    expect(result.body).toEqual({
      ok: true,
      message: "Listed 0 product(s); 1 more will appear after the sync that was just started",
    });
    expect(await selectedIds()).toContain(unsynced);
    expect((await queuedJobs(TASK.productSync)).map((j) => j.payload)).toEqual([{ shop: SHOP, reason: "manual" }]);
    const view = await load(`?query=`);
    expect(view.products.find((p) => p.id === String(unsynced))).toMatchObject({
      awaitingSync: true,
      selected: true,
      listed: false,
    });
  });

  it("'list all my products' lists every active product and keeps the merchant's own choices for later", async () => {
    const before = await selectedIds();
    const all = await act({ intent: "mode", mode: "ALL" });
    expect(all.body.message).toMatch(/^All your products are listed, including new ones \(5 listed now\)$/);
    const view = await load();
    expect(view.mode).toBe("ALL");
    expect(view.products.every((p) => p.selected)).toBe(true);
    await act({ intent: "mode", mode: "CHOSEN" });
    expect(await selectedIds()).toEqual(before);
  });
});
