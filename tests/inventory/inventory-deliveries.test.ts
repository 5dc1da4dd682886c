import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { applyPendingInventoryDeliveries } from "../../app/inventory/apply-inventory-deliveries.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { insertDeliveryReceipt } from "../../app/webhooks/accept-delivery.server";
import { queueJobsOfPendingDeliveries } from "../../app/webhooks/pending-deliveries.server";
import { inventoryDeliveries } from "../../app/worker/tasks/inventory-deliveries.server";
import { webhookDeliveriesSweep } from "../../app/worker/tasks/webhook-deliveries-sweep.server";
import { insertProduct, insertVariant } from "../integrity/fixtures";
import { queuedJobs, runDueJobs } from "../support/jobs";
import { createConnection } from "../support/merchants";
import {
  startShopifyAppUnderTest,
  webhookRequest,
  type RouteAction,
  type ShopifyAppUnderTest,
} from "../merchants/support/shopify-app";
import { receiptOutcomes, seededShuffle } from "../support/webhook-receipts";

// inventory_levels/update, connect and disconnect deliveries are stored with their payload on accept and applied by
// one job per shop that coalesces a burst per level (app/inventory/apply-inventory-deliveries.server.ts, the shared
// machinery in app/webhooks/pending-deliveries.server.ts). Through the real routes (HMAC-signed requests), real
// PostgreSQL and graphile-worker's own runner.

const LOCATION = 55;
const OTHER_LOCATION = 56;
let app: ShopifyAppUnderTest;
const routes: Record<string, RouteAction> = {};

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  routes["inventory_levels/update"] = (await import("../../app/routes/webhooks.inventory_levels.update")).action;
  routes["inventory_levels/connect"] = (await import("../../app/routes/webhooks.inventory_levels.connect")).action;
  routes["inventory_levels/disconnect"] = (
    await import("../../app/routes/webhooks.inventory_levels.disconnect")
  ).action;
});
afterAll(async () => {
  await releaseWorkerUtils();
  await app.stop();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await pgPool().query("DROP TRIGGER IF EXISTS test_injected_failure ON webhook_delivery");
  // Each test's shop is its own; jobs of earlier tests must not run in later ones.
  await pgPool().query("DELETE FROM graphile_worker._private_jobs");
});

const BASE = Date.parse("2026-11-01T00:00:00Z");
/** A level's updated_at (Shopify's, whole seconds). */
const at = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();
/** X-Shopify-Triggered-At within Shopify's retry window (an older one is ignored as a replay), in the same order. */
const emittedAt = (ms: number) => new Date(Date.now() - 60 * 60_000 + ms).toISOString();

/** A shop selling location 55, with variants 1..n whose inventory items are 701..700+n, stock 0. */
async function shopWithItems(shop: string, items: number) {
  await createConnection(shop, { defaultLocationId: LOCATION });
  await insertProduct(shop, 1);
  for (let i = 1; i <= items; i++) await insertVariant(shop, i, 1, { inventoryItemId: 700 + i, availableQuantity: 0 });
}

function levelRequest(shop: string, topic: string, payload: object, triggeredAt: string): Request {
  return webhookRequest(shop, topic, `/webhooks/${topic}`, payload, undefined, {
    "X-Shopify-Triggered-At": triggeredAt,
  });
}

async function send(request: Request): Promise<number> {
  const topic = request.headers.get("X-Shopify-Topic")!;
  try {
    return (await routes[topic]({ request: request.clone(), params: {}, context: {} })).status;
  } catch (thrown) {
    return thrown instanceof Response ? thrown.status : 500;
  }
}

/** Records a delivery as the route does (its receipt with its payload), without asking for the job. */
async function record(shop: string, webhookId: string, topic: string, payload: object, triggeredAt: string) {
  await insertDeliveryReceipt(pgPool(), { webhookId, shop, topic, triggeredAt }, payload);
}

const quantities = async (shop: string) =>
  Object.fromEntries(
    (
      await pgPool().query<{ id: string; available_quantity: number | null; inventory_tracked: boolean }>(
        "SELECT id::text, available_quantity, inventory_tracked FROM product_variant WHERE shop = $1 ORDER BY id",
        [shop],
      )
    ).rows.map((r) => [r.id, r.inventory_tracked ? r.available_quantity : "untracked"]),
  );

describe("a burst of one shop's inventory_levels/* webhooks", () => {
  it("reordered and repeated deliveries: one job, each level's newest quantity, every delivery applied once", async () => {
    const shop = "inventory-burst.myshopify.com";
    await shopWithItems(shop, 20);
    // 20 items, each changed three times at the marketplace's location; one change at another location; delivered
    // out of order, a third of them twice (Shopify's retries: the same webhook id).
    const updates = Array.from({ length: 20 }, (_, i) => 701 + i).flatMap((item) =>
      [1, 2, 3].map((minutes) =>
        levelRequest(
          shop,
          "inventory_levels/update",
          { inventory_item_id: item, location_id: LOCATION, available: item * 10 + minutes, updated_at: at(minutes) },
          emittedAt(minutes * 60_000),
        ),
      ),
    );
    const elsewhere = levelRequest(
      shop,
      "inventory_levels/update",
      { inventory_item_id: 701, location_id: OTHER_LOCATION, available: 999, updated_at: at(4) },
      emittedAt(4 * 60_000),
    );
    const sent = seededShuffle([...updates, elsewhere], 11);
    for (const request of [...sent, ...sent.filter((_, i) => i % 3 === 0)]) expect(await send(request)).toBe(200);

    // The burst is one job of the shop, carrying nothing but the shop; 61 receipts (the repeats recorded nothing).
    const jobs = await queuedJobs(TASK.inventoryDeliveries);
    expect(jobs.map((j) => [j.key, j.payload])).toEqual([[`${TASK.inventoryDeliveries}:${shop}`, { shop }]]);
    expect(await receiptOutcomes(shop)).toEqual({ pending: 61 });
    await runDueJobs({ [TASK.inventoryDeliveries]: inventoryDeliveries });

    expect(await quantities(shop)).toEqual(
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [String(i + 1), (701 + i) * 10 + 3])),
    );
    // Per level the newest applied, the two older superseded; the other location's ignored.
    expect(await receiptOutcomes(shop)).toEqual({ applied: 20, superseded: 40, "other-location": 1 });
    const events = await prisma.syncEvent.findMany({ where: { shop, eventType: "WEBHOOK" } });
    expect(events.map((e) => e.metadata)).toEqual([
      expect.objectContaining({ stream: "inventory_levels", deliveries: 61, levelsWritten: 20, variantsChanged: 20 }),
    ]);
    expect(await queuedJobs(TASK.inventoryDeliveries)).toEqual([]);

    // Shopify's late retry of an old delivery, after the burst was applied: a duplicate, nothing changes.
    expect(await send(sent[0])).toBe(200);
    expect(await queuedJobs(TASK.inventoryDeliveries)).toHaveLength(1);
    await runDueJobs({ [TASK.inventoryDeliveries]: inventoryDeliveries });
    expect((await receiptOutcomes(shop)).applied).toBe(20);
    expect(await prisma.syncEvent.count({ where: { shop, eventType: "WEBHOOK" } })).toBe(1);
  });

  it("an older level in a later batch never overwrites the newer one applied before it", async () => {
    const shop = "inventory-batches.myshopify.com";
    await shopWithItems(shop, 1);
    // Received in this order. The claim takes the oldest first by received_at, whose precision is a millisecond, then
    // by webhook id: the ids sort in the same order, so three receipts of one millisecond keep it too.
    for (const [order, minutes] of [3, 1, 2].entries()) {
      await record(
        shop,
        `inventory-batches-${order}-at-${minutes}`,
        "inventory_levels/update",
        { inventory_item_id: 701, location_id: LOCATION, available: minutes, updated_at: at(minutes) },
        emittedAt(minutes * 60_000),
      );
    }
    for (let i = 0; i < 3; i++) await applyPendingInventoryDeliveries(shop, { batchSize: 1 });
    expect(await quantities(shop)).toEqual({ "1": 3 });
    expect(await receiptOutcomes(shop)).toEqual({ applied: 1, stale: 2 });
  });

  it("jobs of one shop running at once take disjoint deliveries: each applied once, none left", async () => {
    const shop = "inventory-parallel.myshopify.com";
    await shopWithItems(shop, 30);
    for (let item = 701; item <= 730; item++) {
      await record(
        shop,
        `inventory-parallel-${item}`,
        "inventory_levels/update",
        { inventory_item_id: item, location_id: LOCATION, available: 5, updated_at: at(1) },
        emittedAt(0),
      );
    }
    const results = await Promise.all([1, 2, 3].map(() => applyPendingInventoryDeliveries(shop, { batchSize: 10 })));
    expect(results.map((r) => r.deliveries).reduce((a, b) => a + b, 0)).toBe(30);
    expect(await receiptOutcomes(shop)).toEqual({ applied: 30 });
  });
});

describe("two batches of one shop at once", () => {
  it("a batch claimed while another holds its rows takes the next rows at once, without waiting for it", async () => {
    const shop = "inventory-skip-locked.myshopify.com";
    await shopWithItems(shop, 20);
    for (let item = 701; item <= 720; item++) {
      await record(
        shop,
        `inventory-skip-locked-${item}`,
        "inventory_levels/update",
        { inventory_item_id: item, location_id: LOCATION, available: 5, updated_at: at(1) },
        emittedAt(0),
      );
    }
    // The first batch is full: its onFullBatch runs after its claim, inside its transaction, with its rows locked.
    // There the second batch runs to its end, unless its claim waits on the first's locks (seen in pg_stat_activity).
    let second: string | undefined;
    const first = await applyPendingInventoryDeliveries(shop, {
      batchSize: 10,
      onFullBatch: async () => {
        let watching = true;
        const blocked = async () => {
          while (watching) {
            const { rows } = await pgPool().query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            );
            if (rows[0].n > 0) return "waited for the first batch's locks";
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          return "stopped";
        };
        const run = applyPendingInventoryDeliveries(shop, { batchSize: 10 }).then((r) => `took ${r.deliveries}`);
        second = await Promise.race([run, blocked()]);
        watching = false;
      },
    });
    expect(second).toBe("took 10");
    expect(first.deliveries).toBe(10);
    expect(await receiptOutcomes(shop)).toEqual({ applied: 20 });
  });
});

describe("connect, disconnect, update and tracking in one batch", () => {
  it("a disconnect and a connect again within one second, delivered in reverse: the level is stocked", async () => {
    const shop = "inventory-reconnect.myshopify.com";
    await shopWithItems(shop, 1);
    await record(
      shop,
      "reconnect-0",
      "inventory_levels/update",
      { inventory_item_id: 701, location_id: LOCATION, available: 4, updated_at: at(0) },
      emittedAt(0),
    );
    await applyPendingInventoryDeliveries(shop);
    // 100 ms into a second: the disconnect, then a connect 200 ms later (Shopify's updated_at: that whole second).
    // One reading of the clock: two could straddle a second's end and give an instant that is not a whole second.
    const instant = Date.parse(emittedAt(60_000));
    const second = instant - (instant % 1_000);
    const connect = {
      inventory_item_id: 701,
      location_id: LOCATION,
      available: 9,
      updated_at: new Date(second).toISOString(),
    };
    await record(shop, "reconnect-2", "inventory_levels/connect", connect, new Date(second + 300).toISOString());
    await record(
      shop,
      "reconnect-1",
      "inventory_levels/disconnect",
      { inventory_item_id: 701, location_id: LOCATION },
      new Date(second + 100).toISOString(),
    );
    await applyPendingInventoryDeliveries(shop);
    expect(await quantities(shop)).toEqual({ "1": 9 });
    expect(await receiptOutcomes(shop)).toEqual({ applied: 2, superseded: 1 });

    // And the other way round: connected, then disconnected in the same second.
    await record(
      shop,
      "reconnect-4",
      "inventory_levels/disconnect",
      { inventory_item_id: 701, location_id: LOCATION },
      new Date(second + 900).toISOString(),
    );
    await record(
      shop,
      "reconnect-3",
      "inventory_levels/connect",
      { ...connect, available: 7 },
      new Date(second + 600).toISOString(),
    );
    await applyPendingInventoryDeliveries(shop);
    expect(await quantities(shop)).toEqual({ "1": 0 });
    expect(await receiptOutcomes(shop)).toEqual({ applied: 3, superseded: 2 });
  });

  it("an item no longer tracked, then tracked again: the newest word wins, whichever arrives first", async () => {
    const shop = "inventory-tracking.myshopify.com";
    await shopWithItems(shop, 2);
    const level = (item: number, available: number | null, minutes: number) => ({
      inventory_item_id: item,
      location_id: LOCATION,
      available,
      updated_at: at(minutes),
    });
    // Item 701: untracked at minute 1, tracked with 6 at minute 2, delivered newest first. Item 702: tracked with 3
    // at minute 1, untracked at minute 2, delivered oldest first.
    await record(shop, "tracking-1", "inventory_levels/update", level(701, 6, 2), emittedAt(2 * 60_000));
    await record(shop, "tracking-2", "inventory_levels/update", level(701, null, 1), emittedAt(60_000));
    await record(shop, "tracking-3", "inventory_levels/update", level(702, 3, 1), emittedAt(60_000));
    await record(shop, "tracking-4", "inventory_levels/update", level(702, null, 2), emittedAt(2 * 60_000));
    await applyPendingInventoryDeliveries(shop);
    expect(await quantities(shop)).toEqual({ "1": 6, "2": "untracked" });
    expect(await receiptOutcomes(shop)).toEqual({ applied: 3, superseded: 1 });
  });
});

describe("bad deliveries and failures", () => {
  it("a malformed delivery is recorded as malformed, for good; the rest of its batch applies", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => void errors.push(String(line)));
    const shop = "inventory-malformed.myshopify.com";
    await shopWithItems(shop, 2);
    const payloads = [
      { inventory_item_id: 701, location_id: LOCATION, available: 4, updated_at: at(1) },
      { inventory_item_id: "abc", location_id: LOCATION, available: 4, updated_at: at(1) },
      { inventory_item_id: 702, location_id: LOCATION, available: 4 },
      { inventory_item_id: "99999999999999999999", location_id: LOCATION, available: 4, updated_at: at(1) },
      { inventory_item_id: 702, location_id: LOCATION, available: 2 ** 40, updated_at: at(1) },
      { inventory_item_id: 702, location_id: LOCATION, available: 5, updated_at: "2026-11-01T00:00:00\u0000Z" },
      { inventory_item_id: 702, location_id: LOCATION, available: 8, updated_at: at(2) },
    ];
    for (const payload of payloads)
      expect(await send(levelRequest(shop, "inventory_levels/update", payload, emittedAt(0)))).toBe(200);
    await runDueJobs({ [TASK.inventoryDeliveries]: inventoryDeliveries });
    expect(await quantities(shop)).toEqual({ "1": 4, "2": 8 });
    expect(await receiptOutcomes(shop)).toEqual({ applied: 2, malformed: 5 });
    // No retry: a malformed payload would not parse on one either.
    expect(await queuedJobs(TASK.inventoryDeliveries)).toEqual([]);
    expect(errors.filter((line) => line.includes("malformed inventory_levels/update"))).toHaveLength(5);
  });

  it("an apply that fails mid-batch (the database, at the last statement) leaves the whole batch pending; the retry applies it", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const shop = "inventory-midway.myshopify.com";
    await shopWithItems(shop, 3);
    for (const item of [701, 702, 703]) {
      const payload = { inventory_item_id: item, location_id: LOCATION, available: item - 690, updated_at: at(1) };
      expect(await send(levelRequest(shop, "inventory_levels/update", payload, emittedAt(0)))).toBe(200);
    }
    // Marking the receipts fails as a lost connection or a full disk would (not a bad value), after the levels and
    // the variants were written in the batch's transaction.
    await pgPool()
      .query(`CREATE OR REPLACE FUNCTION public.test_injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure' USING ERRCODE = '58030'; END $$`);
    await pgPool().query(`CREATE TRIGGER test_injected_failure BEFORE UPDATE ON webhook_delivery
      FOR EACH STATEMENT EXECUTE FUNCTION public.test_injected_failure()`);
    await runDueJobs({ [TASK.inventoryDeliveries]: inventoryDeliveries });
    expect(await quantities(shop)).toEqual({ "1": 0, "2": 0, "3": 0 });
    const { rows: levels } = await pgPool().query("SELECT 1 FROM inventory_level WHERE shop = $1", [shop]);
    expect(levels).toEqual([]);
    expect(await receiptOutcomes(shop)).toEqual({ pending: 3 });
    const [retry] = await queuedJobs(TASK.inventoryDeliveries);
    expect(retry.payload).toMatchObject({ shop, _retry: { attempt: 2 } });

    await pgPool().query("DROP TRIGGER test_injected_failure ON webhook_delivery");
    await applyPendingInventoryDeliveries(shop);
    expect(await quantities(shop)).toEqual({ "1": 11, "2": 12, "3": 13 });
    expect(await receiptOutcomes(shop)).toEqual({ applied: 3 });
  });

  it("a process that died after recording deliveries, before queueing their job: the sweep queues it", async () => {
    const shop = "inventory-died.myshopify.com";
    await shopWithItems(shop, 1);
    await record(
      shop,
      "inventory-died-1",
      "inventory_levels/update",
      { inventory_item_id: 701, location_id: LOCATION, available: 7, updated_at: at(1) },
      emittedAt(0),
    );
    expect(await queuedJobs(TASK.inventoryDeliveries)).toEqual([]);
    // Just recorded: its own request may still be queueing the job. A minute later, the sweep's run finds it.
    expect(await queueJobsOfPendingDeliveries()).toEqual([]);
    expect(await queueJobsOfPendingDeliveries({ now: new Date(Date.now() + 60_000) })).toEqual([
      { task: TASK.inventoryDeliveries, shop },
    ]);
    await runDueJobs({ [TASK.inventoryDeliveries]: inventoryDeliveries });
    expect(await quantities(shop)).toEqual({ "1": 7 });
    await runDueJobs({ [TASK.webhookDeliveriesSweep]: webhookDeliveriesSweep });
    expect(await queuedJobs(TASK.inventoryDeliveries)).toEqual([]);
  });

  it("a forged signature is 401: nothing recorded, nothing queued", async () => {
    const shop = "inventory-forged.myshopify.com";
    await shopWithItems(shop, 1);
    const payload = { inventory_item_id: 701, location_id: LOCATION, available: 7, updated_at: at(1) };
    const forged = webhookRequest(
      shop,
      "inventory_levels/update",
      "/webhooks/inventory_levels/update",
      payload,
      "not-the-app-secret",
    );
    expect(await send(forged)).toBe(401);
    expect(await receiptOutcomes(shop)).toEqual({});
    expect(await queuedJobs(TASK.inventoryDeliveries)).toEqual([]);
  });
});
