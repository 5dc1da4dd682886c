import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { TASK } from "../../app/jobs/task-names";
import { changeApproval } from "../../app/merchants/change-approval.server";
import { queuedJobs } from "../support/jobs";
import { embeddedRequest, startShopifyAppUnderTest, type ShopifyAppUnderTest } from "./support/shopify-app";
// Type-only: the module itself is imported in beforeAll, after the emulator is set up.
import type * as LocationsRoute from "../../app/routes/app.locations";

// The marketplace-locations page's loader and action, called as Remix calls them, authenticated as the embedded app
// is: the shop's locations as Shopify has them, the choice checked against them, the stock re-read after a change.

const SHOP = "two-places.myshopify.com";
const NEIGHBOUR = "elsewhere.myshopify.com";

let app: ShopifyAppUnderTest;
let route: typeof LocationsRoute;
let primary: number;
let popUp: number;
let foreign: number;
let item: bigint;

async function load() {
  return route.loader({ request: embeddedRequest(SHOP, "/app/locations"), params: {}, context: {} });
}

async function act(
  form: Record<string, string>,
): Promise<{ status: number; body: { ok: boolean; message?: string; error?: string } }> {
  const request = embeddedRequest(SHOP, "/app/locations", { method: "POST", body: new URLSearchParams(form) });
  try {
    const result = (await route.action({ request, params: {}, context: {} })) as unknown as {
      data: { ok: boolean };
      init: { status?: number } | null;
    };
    return { status: result.init?.status ?? 200, body: result.data };
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    return { status: thrown.status, body: (await thrown.json()) as { ok: boolean; error?: string } };
  }
}

const assigned = async () =>
  (await prisma.merchantConnection.findUniqueOrThrow({ where: { shop: SHOP } })).marketplaceLocationIds.map(Number);
const variantQuantity = async () =>
  (
    await pgPool().query<{ q: number | null }>("SELECT available_quantity AS q FROM product_variant WHERE shop = $1", [
      SHOP,
    ])
  ).rows[0].q;

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  route = await import("../../app/routes/app.locations");
  const shop = app.emulator.control.createShop({ domain: SHOP, locations: ["Main warehouse", "Pop-up store"] });
  [primary, popUp] = shop.locations.map((l) => l.legacyResourceId);
  foreign = app.emulator.control.createShop({ domain: NEIGHBOUR }).locations[0].legacyResourceId;
  await load(); // installs the app (token exchange + afterAuth)

  // One synced variant with stock stored at both locations: 5 at the primary, 7 at the pop-up store.
  const product = app.emulator.control.createProduct({ shop: SHOP, title: "Lamp", variants: [{ available: 5 }] });
  item = BigInt(product.variants[0].inventoryItemId.split("/").pop()!);
  await pgPool().query(
    `INSERT INTO product (shop, id, title, status, selected, listed) VALUES ($1, $2, 'Lamp', 'ACTIVE', true, true)`,
    [SHOP, product.legacyResourceId],
  );
  await pgPool().query(
    `INSERT INTO product_variant (shop, id, product_id, price, inventory_item_id, available_quantity) VALUES ($1, $2, $3, 10, $4, 5)`,
    [SHOP, product.variants[0].legacyResourceId, product.legacyResourceId, item],
  );
  await prisma.merchantConnection.update({ where: { shop: SHOP }, data: { defaultLocationId: primary } });
  await pgPool().query(
    `INSERT INTO inventory_level (shop, inventory_item_id, location_id, available, updated_at, observed_at)
     VALUES ($1, $2, $3, 5, now(), now()), ($1, $2, $4, 7, now(), now())`,
    [SHOP, item, primary, popUp],
  );
  await changeApproval({ shop: SHOP, to: "APPROVED", by: "ops@marketplace.example" });
});
afterAll(() => app.stop());

describe("the marketplace-locations page", () => {
  it("shows the shop's locations from Shopify, the primary one selling by default", async () => {
    const { view } = await load();
    expect(view).toEqual({
      followsPrimary: true,
      locations: [
        { id: String(primary), name: "Main warehouse", primary: true, sells: true },
        { id: String(popUp), name: "Pop-up store", primary: false, sells: false },
      ],
    });
  });

  it("assigns two locations: the quantity is their sum at once, and the reconciliation is queued to re-read them", async () => {
    await pgPool().query("DELETE FROM graphile_worker._private_jobs");
    const saved = await act({ intent: "assign", locationIds: `${primary},${popUp}` });

    expect(saved).toMatchObject({ status: 200, body: { ok: true } });
    expect(await assigned()).toEqual([primary, popUp].sort((a, b) => a - b));
    expect(await variantQuantity()).toBe(12);
    expect((await queuedJobs(TASK.inventoryReconcile)).map((j) => j.payload)).toEqual([
      { shop: SHOP, reason: "manual" },
    ]);
    expect((await load()).view).toMatchObject({ followsPrimary: false, locations: [{ sells: true }, { sells: true }] });
    // The same choice again changes nothing and queues nothing.
    await pgPool().query("DELETE FROM graphile_worker._private_jobs");
    expect((await act({ intent: "assign", locationIds: `${popUp},${primary}` })).body.message).toMatch(/already/);
    expect(await queuedJobs(TASK.inventoryReconcile)).toEqual([]);
  });

  it("the pop-up store alone: the primary location's stock stops selling at once", async () => {
    await act({ intent: "assign", locationIds: String(popUp) });
    expect(await variantQuantity()).toBe(7);
  });

  it("none chosen goes back to the primary location", async () => {
    const saved = await act({ intent: "assign", locationIds: "" });
    expect(saved.body.message).toMatch(/primary location/);
    expect(await assigned()).toEqual([]);
    expect(await variantQuantity()).toBe(5);
  });

  it("refuses another shop's location (422) and changes nothing", async () => {
    await act({ intent: "assign", locationIds: String(popUp) });
    const refused = await act({ intent: "assign", locationIds: `${primary},${foreign}` });
    expect(refused).toEqual({
      status: 422,
      body: { ok: false, error: `Not an active location of your shop: ${foreign}.` },
    });
    expect(await assigned()).toEqual([popUp]);
    expect(await variantQuantity()).toBe(7);
  });

  it("answers 400 to garbage, naming the field, and changes nothing", async () => {
    const garbage: Array<Record<string, string>> = [
      { intent: "assign", locationIds: "abc" },
      { intent: "assign", locationIds: `${primary};DROP TABLE merchant_connection` },
      { intent: "assign", locationIds: `${primary},,${popUp}` },
      { intent: "assign", locationIds: "-1" },
      { intent: "assign", locationIds: "1".repeat(25) },
      { intent: "assign", locationIds: Array.from({ length: 251 }, (_, i) => i + 1).join(",") },
      { intent: "assign" },
      { intent: "explode", locationIds: String(primary) },
      {},
    ];
    for (const form of garbage) {
      const answer = await act(form);
      expect(answer.status, JSON.stringify(form)).toBe(400);
      expect(answer.body.ok).toBe(false);
      expect(answer.body.error).toMatch(/intent|locationIds/);
    }
    expect(await assigned()).toEqual([popUp]);
  });
});
