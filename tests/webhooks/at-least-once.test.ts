import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { TASK } from "../../app/jobs/task-names";
import { pruneWebhookDeliveries, WEBHOOK_RECEIPT_RETENTION_MS } from "../../app/webhooks/prune-deliveries.server";
import { queuedJobs } from "../support/jobs";
import { createConnection } from "../support/merchants";
import {
  startShopifyAppUnderTest,
  webhookRequest,
  type RouteAction,
  type ShopifyAppUnderTest,
} from "../merchants/support/shopify-app";

// Webhooks are delivered at least once, and a delivery must never be recorded without its effect: the receipt
// (dedupe by X-Shopify-Webhook-Id) and the queued job (or the work itself) are one transaction. Each test makes
// the effect fail once with a real database error (a trigger that raises), then sends Shopify's retry: the same
// request, same webhook id. The retry must be processed, not ignored as a duplicate.

// Imported after the emulator is set up (the Shopify app reads its address when it loads).
const ROUTES: Record<string, () => Promise<{ action: RouteAction }>> = {
  "products/update": () => import("../../app/routes/webhooks.products.update"),
  "inventory_levels/update": () => import("../../app/routes/webhooks.inventory_levels.update"),
  "bulk_operations/finish": () => import("../../app/routes/webhooks.bulk_operations.finish"),
  "app/uninstalled": () => import("../../app/routes/webhooks.app.uninstalled"),
  "shop/redact": () => import("../../app/routes/webhooks.shop.redact"),
  "customers/redact": () => import("../../app/routes/webhooks.customers.redact"),
  "customers/data_request": () => import("../../app/routes/webhooks.customers.data_request"),
};

let app: ShopifyAppUnderTest;
const actions: Record<string, RouteAction> = {};

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  for (const [topic, route] of Object.entries(ROUTES)) {
    actions[topic] = (await route()).action;
  }
});
afterAll(() => app.stop());
afterEach(async () => {
  vi.restoreAllMocks();
  await failNothing();
});

/** A status, as Shopify would see it: a thrown Response is its status, any other error a 500. */
async function send(topic: string, request: Request): Promise<number> {
  try {
    return (await actions[topic]({ request: request.clone(), params: {}, context: {} })).status;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    return 500;
  }
}

/** Makes every insert into (or `operation` on) `table` fail, as a full disk or a lost connection would. */
async function fail(table: string, operation = "INSERT") {
  await pgPool().query(`CREATE OR REPLACE FUNCTION public.test_injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
  await pgPool().query(`CREATE TRIGGER test_injected_failure BEFORE ${operation} ON ${table}
    FOR EACH STATEMENT EXECUTE FUNCTION public.test_injected_failure()`);
  failing.push(table);
}
const failing: string[] = [];
async function failNothing() {
  for (const table of failing.splice(0))
    await pgPool().query(`DROP TRIGGER IF EXISTS test_injected_failure ON ${table}`);
}

const receipts = async (webhookId: string) =>
  (await pgPool().query("SELECT 1 FROM webhook_delivery WHERE webhook_id = $1", [webhookId])).rowCount;
const webhookIdOf = (request: Request) => request.headers.get("X-Shopify-Webhook-Id")!;
const silence = () => {
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  vi.spyOn(console, "info").mockImplementation(() => undefined);
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
};

describe("a webhook whose job cannot be queued is processed on Shopify's retry", () => {
  const storedTopics = [
    {
      topic: "products/update",
      task: TASK.productDeliveries,
      payload: { id: 1, title: "T", updated_at: "2026-11-01T00:00:00Z", variants: [] },
    },
    {
      topic: "inventory_levels/update",
      task: TASK.inventoryDeliveries,
      payload: { inventory_item_id: 7, location_id: 5, available: 3, updated_at: "2026-11-01T00:00:00Z" },
    },
  ];

  for (const { topic, task, payload } of storedTopics) {
    it(`${topic}: queueing the shop's job fails (500, the delivery is recorded pending), the retry queues it`, async () => {
      silence();
      const shop = `retry-stored-${topic.split("/")[0].replace("_", "-")}.myshopify.com`;
      const delivery = webhookRequest(shop, topic, `/webhooks/${topic}`, payload);

      // The delivery is one INSERT with its payload; the shop's coalescing job is queued after it
      // (app/webhooks/pending-deliveries.server.ts). Its add_job fails: 500, and the row stays pending.
      await fail("graphile_worker._private_jobs");
      expect(await send(topic, delivery)).toBe(500);
      await failNothing();
      const pending = await pgPool().query(
        "SELECT 1 FROM webhook_delivery WHERE webhook_id = $1 AND payload IS NOT NULL",
        [webhookIdOf(delivery)],
      );
      expect(pending.rowCount).toBe(1);
      expect(await queuedJobs(task)).toEqual([]);

      // Shopify's retry is a duplicate of the recorded delivery: it asks for the job again; one more retry, one job.
      expect(await send(topic, delivery)).toBe(200);
      expect(await send(topic, delivery)).toBe(200);
      const jobs = (await queuedJobs(task)).filter((job) => job.payload.shop === shop);
      expect(jobs).toHaveLength(1);
      expect(await receipts(webhookIdOf(delivery))).toBe(1);
    });
  }

  const jobTopics = [
    {
      topic: "bulk_operations/finish",
      task: TASK.productExportCheck,
      payload: { admin_graphql_api_id: "gid://shopify/BulkOperation/123", status: "completed" },
    },
  ];

  for (const { topic, task, payload } of jobTopics) {
    it(`${topic}: queueing fails (500, no receipt), the retry queues the job, a second retry is ignored`, async () => {
      silence();
      const shop = `retry-${topic.split("/")[0].replace("_", "-")}.myshopify.com`;
      const delivery = webhookRequest(shop, topic, `/webhooks/${topic}`, payload);

      await fail("graphile_worker._private_jobs");
      expect(await send(topic, delivery)).toBe(500);
      expect(await receipts(webhookIdOf(delivery))).toBe(0);
      await failNothing();

      expect(await send(topic, delivery)).toBe(200);
      expect(await send(topic, delivery)).toBe(200);
      const jobs = (await queuedJobs(task)).filter((job) => job.payload.shop === shop);
      expect(jobs).toHaveLength(1);
      expect(await receipts(webhookIdOf(delivery))).toBe(1);
    });
  }
});

describe("app/uninstalled", () => {
  it("a failed deactivation is redone on the retry; a retry arriving after a reinstall does not uninstall again", async () => {
    silence();
    const shop = "uninstall-retry.myshopify.com";
    await createConnection(shop);
    const delivery = webhookRequest(shop, "app/uninstalled", "/webhooks/app/uninstalled", { domain: shop });

    await fail("session", "DELETE");
    expect(await send("app/uninstalled", delivery)).toBe(500);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(true);
    await failNothing();

    expect(await send("app/uninstalled", delivery)).toBe(200);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(false);

    // The merchant reinstalls; Shopify's late retry of the old delivery comes in.
    await prisma.merchantConnection.update({
      where: { shop },
      data: { active: true, uninstalledAt: null, purgeAfter: null },
    });
    expect(await send("app/uninstalled", delivery)).toBe(200);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(true);
  });
});

describe("shop/redact", () => {
  it("a failed erasure is redone on the retry; a repeated delivery is ignored and its receipt kept", async () => {
    silence();
    const shop = "redact-retry.myshopify.com";
    await createConnection(shop, { active: false });
    await pgPool().query(`INSERT INTO product (shop, id, title, status) VALUES ($1, 1, 'A', 'ACTIVE')`, [shop]);
    const delivery = webhookRequest(shop, "shop/redact", "/webhooks/shop/redact", { shop_domain: shop });

    await fail("product", "DELETE");
    expect(await send("shop/redact", delivery)).toBe(500);
    expect(await prisma.product.count({ where: { shop } })).toBe(1);
    await failNothing();

    expect(await send("shop/redact", delivery)).toBe(200);
    expect(await prisma.product.count({ where: { shop } })).toBe(0);
    expect(await receipts(webhookIdOf(delivery))).toBe(1);

    const info = vi.spyOn(console, "info");
    info.mockClear();
    expect(await send("shop/redact", delivery)).toBe(200);
    expect(info).not.toHaveBeenCalled();
  });
});

describe("customers/* compliance webhooks", () => {
  it("are answered and logged once per delivery", async () => {
    silence();
    const shop = "compliance-dedupe.myshopify.com";
    for (const topic of ["customers/redact", "customers/data_request"]) {
      const delivery = webhookRequest(shop, topic, `/webhooks/${topic}`, { shop_domain: shop, customer: { id: 1 } });
      const info = vi.spyOn(console, "info");
      info.mockClear();
      expect(await send(topic, delivery)).toBe(200);
      expect(await send(topic, delivery)).toBe(200);
      expect(info.mock.calls.filter(([line]) => String(line).includes(topic))).toHaveLength(1);
      expect(await receipts(webhookIdOf(delivery))).toBe(1);
    }
  });
});

describe("receipts are pruned past Shopify's retry window", () => {
  it("deletes receipts older than the retention, keeps newer ones", async () => {
    const now = new Date();
    const at = (msAgo: number) => new Date(now.getTime() - msAgo);
    await pgPool().query(
      `INSERT INTO webhook_delivery (webhook_id, shop, topic, received_at)
       VALUES ('old-1', 'p.myshopify.com', 'products/update', $1), ('old-2', 'p.myshopify.com', 'products/update', $1),
              ('recent', 'p.myshopify.com', 'products/update', $2)`,
      [at(WEBHOOK_RECEIPT_RETENTION_MS + 60_000), at(WEBHOOK_RECEIPT_RETENTION_MS - 60_000)],
    );
    // The retention outlasts Shopify's retries (8 over 4 hours) and a day-late delivery.
    expect(WEBHOOK_RECEIPT_RETENTION_MS).toBeGreaterThan(24 * 60 * 60 * 1000);

    // A delivery still waiting to be applied (its payload kept) is never pruned, however old.
    await pgPool().query(
      `INSERT INTO webhook_delivery (webhook_id, shop, topic, received_at, payload)
       VALUES ('old-pending', 'p.myshopify.com', 'products/update', $1, '{"id": 1}')`,
      [at(WEBHOOK_RECEIPT_RETENTION_MS + 60_000)],
    );

    const result = await pruneWebhookDeliveries({ now, batchSize: 1 });
    expect(result.deleted).toBe(2);
    const { rows } = await pgPool().query<{ webhook_id: string }>(
      "SELECT webhook_id FROM webhook_delivery WHERE shop = 'p.myshopify.com' ORDER BY webhook_id",
    );
    expect(rows.map((r) => r.webhook_id)).toEqual(["old-pending", "recent"]);
  });
});
