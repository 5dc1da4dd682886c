import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { productDeliveries } from "../../app/worker/tasks/product-deliveries.server";
import { webhookDeliveriesSweep } from "../../app/worker/tasks/webhook-deliveries-sweep.server";
import { applyPendingProductDeliveries } from "../../app/sync/apply-product-deliveries.server";
import { recordProductDelivery } from "../../app/sync/record-product-delivery.server";
import {
  DELIVERY_STREAMS,
  queueJobsOfPendingDeliveries,
  requestDeliveriesJob,
} from "../../app/webhooks/pending-deliveries.server";
import { queuedJobs, runDueJobs } from "../support/jobs";
import { createConnection } from "../support/merchants";
import {
  startShopifyAppUnderTest,
  webhookRequest,
  type RouteAction,
  type ShopifyAppUnderTest,
} from "../merchants/support/shopify-app";
import { receiptOutcomes, seededShuffle } from "../support/webhook-receipts";

// products/* deliveries are stored with their payload on accept and applied by one job per shop that coalesces a
// burst (app/sync/apply-product-deliveries.server.ts, app/sync/record-product-delivery.server.ts). Through the real
// route (HMAC-signed requests), real PostgreSQL and graphile-worker's own runner.

let app: ShopifyAppUnderTest;
let productUpdate: RouteAction;
let productDelete: RouteAction;

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  productUpdate = (await import("../../app/routes/webhooks.products.update")).action;
  productDelete = (await import("../../app/routes/webhooks.products.delete")).action;
});
afterAll(async () => {
  await releaseWorkerUtils();
  await app.stop();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await pgPool().query("DROP TRIGGER IF EXISTS test_injected_failure ON product");
  // Each test's shop is its own; jobs of earlier tests must not run in later ones.
  await pgPool().query("DELETE FROM graphile_worker._private_jobs");
});

const BASE = Date.parse("2026-11-01T00:00:00Z");
const at = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();
/** X-Shopify-Triggered-At within Shopify's retry window (an older one is ignored as a replay), in the same order. */
const emittedAt = (minutes: number) => new Date(Date.now() - 60 * 60_000 + minutes * 60_000).toISOString();

function productPayload(id: number, minutes: number, title = `P${id} at ${minutes}`) {
  return {
    id,
    title,
    status: "active",
    updated_at: at(minutes),
    variants: [{ id: id * 10, sku: `SKU-${id}`, price: "5.00", updated_at: at(minutes) }],
  };
}

async function send(action: RouteAction, request: Request): Promise<number> {
  try {
    return (await action({ request: request.clone(), params: {}, context: {} })).status;
  } catch (thrown) {
    return thrown instanceof Response ? thrown.status : 500;
  }
}

const titles = async (shop: string) =>
  Object.fromEntries(
    (
      await pgPool().query<{ id: string; title: string; deleted: boolean }>(
        "SELECT id::text, title, deleted_at IS NOT NULL AS deleted FROM product WHERE shop = $1",
        [shop],
      )
    ).rows.map((r) => [r.id, r.deleted ? "(deleted)" : r.title]),
  );

describe("a burst of one shop's products/* webhooks", () => {
  it("reordered and repeated deliveries: one job, each product's newest state, every delivery applied once", async () => {
    const shop = "burst.myshopify.com";
    await createConnection(shop);
    // 20 products edited three times each, product 5 then deleted; delivered out of order, a third of them twice.
    const updates = Array.from({ length: 20 }, (_, i) => i + 1).flatMap((id) =>
      [1, 2, 3].map((minutes) =>
        webhookRequest(shop, "products/update", "/webhooks/products/update", productPayload(id, minutes), undefined, {
          "X-Shopify-Triggered-At": emittedAt(minutes),
        }),
      ),
    );
    const deletion = webhookRequest(shop, "products/delete", "/webhooks/products/delete", { id: 5 }, undefined, {
      "X-Shopify-Triggered-At": emittedAt(4),
    });
    const sent = seededShuffle([...updates, deletion], 7);
    for (const request of [...sent, ...sent.filter((_, i) => i % 3 === 0)]) {
      expect(await send(request === deletion ? productDelete : productUpdate, request)).toBe(200);
    }

    // The burst is one job of the shop, carrying nothing but the shop.
    const jobs = await queuedJobs(TASK.productDeliveries);
    expect(jobs.map((j) => [j.key, j.payload])).toEqual([[`${TASK.productDeliveries}:${shop}`, { shop }]]);
    await runDueJobs({ [TASK.productDeliveries]: productDeliveries });

    const expected = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [String(i + 1), `P${i + 1} at 3`]));
    expected["5"] = "(deleted)";
    expect(await titles(shop)).toEqual(expected);
    // 61 receipts (the repeats recorded nothing): per product the newest update applied, the two older superseded.
    expect(await receiptOutcomes(shop)).toEqual({ applied: 21, superseded: 40 });
    const events = await prisma.syncEvent.findMany({ where: { shop, eventType: "WEBHOOK" } });
    expect(events.map((e) => (e.metadata as { deliveries: number }).deliveries)).toEqual([61]);
    expect(await queuedJobs(TASK.productDeliveries)).toEqual([]);

    // Shopify's late retry of an old delivery, after the burst was applied: a duplicate, nothing changes.
    expect(await send(productUpdate, sent[0] === deletion ? sent[1] : sent[0])).toBe(200);
    await runDueJobs({ [TASK.productDeliveries]: productDeliveries });
    expect(await titles(shop)).toEqual(expected);
  });

  it("an older state in a later batch never overwrites the newer one applied before it", async () => {
    const shop = "batches.myshopify.com";
    await createConnection(shop);
    // Received in this order. The claim takes the oldest first by received_at, whose precision is a millisecond, then
    // by webhook id: the ids sort in the same order, so three receipts of one millisecond keep it too.
    for (const [order, minutes] of [3, 1, 2].entries()) {
      await recordProductDelivery({
        webhookId: `batches-${order}-at-${minutes}`,
        shop,
        topic: "products/update",
        triggeredAt: at(minutes),
        payload: productPayload(1, minutes),
      });
    }
    for (let i = 0; i < 3; i++) await applyPendingProductDeliveries(shop, { batchSize: 1 });
    expect(await titles(shop)).toEqual({ "1": "P1 at 3" });
    expect(await receiptOutcomes(shop)).toEqual({ applied: 1, stale: 2 });
  });

  it("jobs of one shop running at once take disjoint deliveries: each applied once, none left", async () => {
    const shop = "parallel.myshopify.com";
    await createConnection(shop);
    for (let id = 1; id <= 30; id++) {
      await recordProductDelivery({
        webhookId: `parallel-${id}`,
        shop,
        topic: "products/update",
        triggeredAt: at(1),
        payload: productPayload(id, 1),
      });
    }
    const results = await Promise.all([1, 2, 3].map(() => applyPendingProductDeliveries(shop, { batchSize: 10 })));
    expect(results.map((r) => r.deliveries).reduce((a, b) => a + b, 0)).toBe(30);
    expect(await receiptOutcomes(shop)).toEqual({ applied: 30 });
  });
});

describe("the accept path, verified without the shop's session", () => {
  it("a forged signature is 401, missing Shopify headers 400: nothing recorded, nothing queued", async () => {
    const shop = "forged.myshopify.com";
    await createConnection(shop);
    const payload = productPayload(1, 1);
    const forged = webhookRequest(shop, "products/update", "/webhooks/products/update", payload, "not-the-app-secret");
    expect(await send(productUpdate, forged)).toBe(401);
    const noId = webhookRequest(shop, "products/update", "/webhooks/products/update", payload);
    noId.headers.delete("X-Shopify-Webhook-Id");
    expect(await send(productUpdate, noId)).toBe(400);
    expect(await receiptOutcomes(shop)).toEqual({});
    expect(await queuedJobs(TASK.productDeliveries)).toEqual([]);
  });
});

describe("nothing is lost between accept and apply", () => {
  it("a process that died after recording deliveries, before queueing their job: the sweep queues it", async () => {
    const shop = "died.myshopify.com";
    await createConnection(shop);
    for (const id of [1, 2]) {
      await recordProductDelivery({
        webhookId: `died-${id}`,
        shop,
        topic: "products/update",
        triggeredAt: at(1),
        payload: productPayload(id, 1),
      });
    }
    expect(await queuedJobs(TASK.productDeliveries)).toEqual([]);

    // Just recorded: its own request may still be queueing the job. A minute later, the sweep's run finds them.
    expect(await queueJobsOfPendingDeliveries()).toEqual([]);
    expect(await queueJobsOfPendingDeliveries({ now: new Date(Date.now() + 60_000) })).toEqual([
      { task: TASK.productDeliveries, shop },
    ]);
    await runDueJobs({ [TASK.productDeliveries]: productDeliveries });
    expect(await titles(shop)).toEqual({ "1": "P1 at 1", "2": "P2 at 1" });
    expect(await receiptOutcomes(shop)).toEqual({ applied: 2 });
    // And the cron task runs it (nothing pending now: nothing queued).
    await runDueJobs({ [TASK.webhookDeliveriesSweep]: webhookDeliveriesSweep });
    expect(await queuedJobs(TASK.productDeliveries)).toEqual([]);
  });

  it("an apply that fails (the database, mid-batch) leaves the whole batch pending; the retry applies it", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const shop = "midway.myshopify.com";
    await createConnection(shop);
    for (const id of [1, 2, 3]) {
      const request = webhookRequest(shop, "products/update", "/webhooks/products/update", productPayload(id, 1));
      expect(await send(productUpdate, request)).toBe(200);
    }
    // The third product's write fails as a lost connection or a full disk would (not a bad value).
    await pgPool()
      .query(`CREATE OR REPLACE FUNCTION public.test_injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = 3 THEN RAISE EXCEPTION 'injected failure' USING ERRCODE = '58030'; END IF; RETURN NEW; END $$`);
    await pgPool().query(`CREATE TRIGGER test_injected_failure BEFORE INSERT OR UPDATE ON product
      FOR EACH ROW EXECUTE FUNCTION public.test_injected_failure()`);
    await runDueJobs({ [TASK.productDeliveries]: productDeliveries });
    expect(await titles(shop)).toEqual({});
    expect(await receiptOutcomes(shop)).toEqual({ pending: 3 });
    const [retry] = await queuedJobs(TASK.productDeliveries);
    expect(retry.payload).toMatchObject({ shop, _retry: { attempt: 2 } });

    await pgPool().query("DROP TRIGGER test_injected_failure ON product");
    await applyPendingProductDeliveries(shop);
    expect(await titles(shop)).toEqual({ "1": "P1 at 1", "2": "P2 at 1", "3": "P3 at 1" });
    expect(await receiptOutcomes(shop)).toEqual({ applied: 3 });
  });

  it("a delivery whose product the database refuses (an id beyond bigint) fails alone; the others apply", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const shop = "poison.myshopify.com";
    await createConnection(shop);
    const payloads = [
      productPayload(1, 1),
      { ...productPayload(2, 1), id: "99999999999999999999" },
      productPayload(3, 1),
    ];
    for (const payload of payloads) {
      const request = webhookRequest(shop, "products/update", "/webhooks/products/update", payload);
      expect(await send(productUpdate, request)).toBe(200);
    }
    await runDueJobs({ [TASK.productDeliveries]: productDeliveries });
    expect(await titles(shop)).toEqual({ "1": "P1 at 1", "3": "P3 at 1" });
    expect(await receiptOutcomes(shop)).toEqual({ applied: 2, failed: 1 });
    expect(await queuedJobs(TASK.productDeliveries)).toEqual([]);
  });
});

describe("requestDeliveriesJob: one add_job at a time per shop and stream", () => {
  it("deliveries arriving while a call is in flight share one more call, started after it", async () => {
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const queue = () =>
      new Promise<void>((resolve) => {
        started.push(started.length);
        finish.push(resolve);
      });
    const first = requestDeliveriesJob(DELIVERY_STREAMS.products, "flight.myshopify.com", queue);
    // Five deliveries commit while the first add_job runs: it may have found the job just as a worker took it.
    const during = Array.from({ length: 5 }, () =>
      requestDeliveriesJob(DELIVERY_STREAMS.products, "flight.myshopify.com", queue),
    );
    expect(started).toHaveLength(1);
    finish[0]();
    await first;
    await vi.waitFor(() => expect(started).toHaveLength(2));
    finish[1]();
    await Promise.all(during);
    expect(started).toHaveLength(2);
    // Nothing in flight: the next delivery calls at once.
    const later = requestDeliveriesJob(DELIVERY_STREAMS.products, "flight.myshopify.com", queue);
    expect(started).toHaveLength(3);
    finish[2]();
    await later;
  });
});
