import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { inventoryDeliveries } from "../../app/worker/tasks/inventory-deliveries.server";
import { startShopifyAppUnderTest, webhookRequest, type ShopifyAppUnderTest } from "../merchants/support/shopify-app";
import { insertProduct, insertVariant } from "../integrity/fixtures";
import { createConnection } from "../support/merchants";
import { queuedJobs, runDueJobs } from "../support/jobs";

// The inventory_levels/update route: signed requests as Shopify sends them, through the real HMAC check.

const SHOP = "webhook-route.myshopify.com";
const PATH = "/webhooks/inventory_levels/update";
let app: ShopifyAppUnderTest;

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  await createConnection(SHOP, { defaultLocationId: 55 });
  await insertProduct(SHOP, 1);
  await insertVariant(SHOP, 11, 1, { inventoryItemId: 701, availableQuantity: 2 });
});

afterAll(async () => {
  await releaseWorkerUtils();
  await app?.stop();
});

describe("POST /webhooks/inventory_levels/update", () => {
  it("records the delivery once (a repeat is ignored) and queues the shop's job, which applies the level", async () => {
    const { action } = await import("../../app/routes/webhooks.inventory_levels.update");
    const payload = { inventory_item_id: 701, location_id: 55, available: 9, updated_at: "2026-11-24T10:00:00-05:00" };
    const request = webhookRequest(SHOP, "inventory_levels/update", PATH, payload);
    const repeat = request.clone();

    expect((await action({ request, params: {}, context: {} })).status).toBe(200);
    expect((await action({ request: repeat, params: {}, context: {} })).status).toBe(200);

    const jobs = await queuedJobs(TASK.inventoryDeliveries);
    expect(jobs.map((j) => j.payload)).toEqual([{ shop: SHOP }]);
    const { rows: receipts } = await pgPool().query("SELECT payload FROM webhook_delivery WHERE shop = $1", [SHOP]);
    expect(receipts.map((r) => r.payload)).toEqual([payload]);

    await runDueJobs({ [TASK.inventoryDeliveries]: inventoryDeliveries });
    const { rows } = await pgPool().query(
      `SELECT available_quantity FROM product_variant WHERE shop = $1 AND id = 11`,
      [SHOP],
    );
    expect(rows[0].available_quantity).toBe(9);
  });

  it("refuses a forged delivery", async () => {
    const { action } = await import("../../app/routes/webhooks.inventory_levels.update");
    const forged = webhookRequest(SHOP, "inventory_levels/update", PATH, { inventory_item_id: 701 }, "not-the-secret");
    const outcome = await Promise.resolve(action({ request: forged, params: {}, context: {} })).catch(
      (thrown: unknown) => thrown,
    );
    expect(outcome).toBeInstanceOf(Response);
    expect((outcome as Response).status).toBe(401);
    expect(await queuedJobs(TASK.inventoryDeliveries)).toHaveLength(0);
    const { rows } = await pgPool().query("SELECT 1 FROM webhook_delivery WHERE shop = $1", [SHOP]);
    expect(rows).toHaveLength(1);
  });
});
