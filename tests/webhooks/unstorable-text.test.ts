import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { TASK } from "../../app/jobs/task-names";
import { inventoryDeliveries } from "../../app/worker/tasks/inventory-deliveries.server";
import { productDeliveries } from "../../app/worker/tasks/product-deliveries.server";
import { queuedJobs, runDueJobs } from "../support/jobs";
import { createConnection } from "../support/merchants";
import {
  startShopifyAppUnderTest,
  webhookRequest,
  type RouteAction,
  type ShopifyAppUnderTest,
} from "../merchants/support/shopify-app";

// JSON may carry a NUL character (\u0000) in a string; PostgreSQL's text cannot store one. A products/* webhook
// whose stored fields carry one used to be queued, then fail on every attempt (invalid byte sequence for encoding
// "UTF8": 0x00) until its retries ran out. It is now a malformed payload, like a NUL line of the bulk export: the
// route answers 200 (Shopify must not retry it), the shop's job marks the delivery malformed, for good, logging which
// field and why, and the shop's other deliveries go on. Sent as Shopify sends them: HMAC-signed POSTs through the routes.

let app: ShopifyAppUnderTest;
let productUpdate: RouteAction;
let inventoryUpdate: RouteAction;
const SHOP = "nul-bytes.myshopify.com";

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  productUpdate = (await import("../../app/routes/webhooks.products.update")).action;
  inventoryUpdate = (await import("../../app/routes/webhooks.inventory_levels.update")).action;
  await createConnection(SHOP);
});
afterAll(() => app.stop());

const product = (id: number, title: string, extra: Record<string, unknown> = {}) => ({
  id,
  title,
  handle: `p-${id}`,
  status: "active",
  tags: "a, b",
  updated_at: "2026-11-01T00:00:00Z",
  variants: [{ id: id * 10, title: "Default", sku: `SKU-${id}`, price: "5.00", updated_at: "2026-11-01T00:00:00Z" }],
  ...extra,
});

describe("a webhook payload with text PostgreSQL cannot store", () => {
  it("products/update with a NUL in a stored field: 200, the delivery is malformed for good naming the field; clean ones apply", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => void errors.push(String(line)));
    const deliveries = [
      product(1, "Nul\u0000Title"),
      product(2, "Clean", { tags: "ok, tag\u0000with nul" }),
      product(3, "Clean", {
        variants: [{ id: 30, sku: "SKU\u0000", price: "1.00", updated_at: "2026-11-01T00:00:00Z" }],
      }),
      product(4, "Clean", { body_html: "<p>\u0000 not stored, so harmless</p>" }),
    ];
    for (const payload of deliveries) {
      const request = webhookRequest(SHOP, "products/update", "/webhooks/products/update", payload);
      expect(request.headers.get("X-Shopify-Hmac-Sha256")).toBeTruthy();
      expect((await productUpdate({ request, params: {}, context: {} })).status).toBe(200);
    }
    // Stored as sent (a JSON column keeps the \u0000 escape a JSONB one refuses), one job for the shop.
    expect(await queuedJobs(TASK.productDeliveries)).toHaveLength(1);

    await runDueJobs({ [TASK.productDeliveries]: productDeliveries });
    vi.restoreAllMocks();

    const { rows: stored } = await pgPool().query<{ id: string; title: string }>(
      "SELECT id::text, title FROM product WHERE shop = $1 ORDER BY id",
      [SHOP],
    );
    expect(stored).toEqual([{ id: "4", title: "Clean" }]);
    // Nothing waits for a retry: each damaged delivery is malformed, for good, with a reason naming the field.
    expect(await queuedJobs(TASK.productDeliveries)).toEqual([]);
    const { rows: outcomes } = await pgPool().query<{ outcome: string; pending: boolean }>(
      "SELECT outcome, payload IS NOT NULL AS pending FROM webhook_delivery WHERE shop = $1 AND topic = 'products/update' ORDER BY outcome",
      [SHOP],
    );
    expect(outcomes).toEqual([
      { outcome: "applied", pending: false },
      ...Array.from({ length: 3 }, () => ({ outcome: "malformed", pending: false })),
    ]);
    const reasons = errors.filter((line) => line.includes("malformed")).join("\n");
    expect(reasons).toMatch(/NUL character/);
    for (const field of ['"title"', '"tags"', '"variants"', '"sku"']) expect(reasons).toContain(field);
    expect(await prisma.syncEvent.count({ where: { shop: SHOP, eventType: "WEBHOOK", status: "SUCCESS" } })).toBe(1);
  });

  it("inventory_levels/update with a NUL in a field it does not store is applied; in one it parses, malformed for good", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const payloads = [
      {
        inventory_item_id: 7,
        location_id: 5,
        available: 3,
        updated_at: "2026-11-01T00:00:00Z",
        admin_graphql_api_id: "gid://\u0000",
      },
      { inventory_item_id: 8, location_id: 5, available: 3, updated_at: "2026-11-01T00:00:00\u0000Z" },
    ];
    for (const payload of payloads) {
      const request = webhookRequest(SHOP, "inventory_levels/update", "/webhooks/inventory_levels/update", payload);
      expect((await inventoryUpdate({ request, params: {}, context: {} })).status).toBe(200);
    }
    await runDueJobs({ [TASK.inventoryDeliveries]: inventoryDeliveries });
    // Nothing waits for a retry. The first is of a location the shop does not sell (it has none known yet): its NUL
    // in a field not stored did not stop it being read.
    expect(await queuedJobs(TASK.inventoryDeliveries)).toEqual([]);
    const { rows } = await pgPool().query<{ outcome: string; pending: boolean }>(
      "SELECT outcome, payload IS NOT NULL AS pending FROM webhook_delivery WHERE shop = $1 AND topic = 'inventory_levels/update' ORDER BY outcome",
      [SHOP],
    );
    expect(rows).toEqual([
      { outcome: "malformed", pending: false },
      { outcome: "other-location", pending: false },
    ]);
  });
});
