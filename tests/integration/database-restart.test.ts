import { startRestartablePostgres } from "../support/restartable-postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { pgPool } from "../../app/db.server";
import { healthResponse } from "../../app/health/probe-responses.server";
import { enqueue } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { runningWorker, startWorker, stopWorker } from "../../app/worker/worker.server";
import { queuedJobs } from "../support/jobs";
import { createConnection } from "../support/merchants";
import {
  startShopifyAppUnderTest,
  webhookRequest,
  type RouteAction,
  type ShopifyAppUnderTest,
} from "../merchants/support/shopify-app";

// A real restart of PostgreSQL (its server process stopped, then started again on the same data and port) while the
// app runs its worker in-process, instead of the approximation of terminating every backend. This file starts a
// PostgreSQL of its own, so the restart does not cut the other test files sharing the suite's server.
// What must hold: /healthz answers 503 while the database is down and 200 again after; a webhook posted during the
// outage is answered 5xx (Shopify retries it) and its retry is processed once; jobs queued before the outage and due
// during it run after it, each exactly once; nothing is left locked or failed.

const SHOP = "restart.myshopify.com";
const database = await startRestartablePostgres("restart");
process.env.DATABASE_URL = database.url; // before the app's pools are made (they read it on first use)

let app: ShopifyAppUnderTest;
let productUpdate: RouteAction;

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  productUpdate = (await import("../../app/routes/webhooks.products.update")).action;
  await createConnection(SHOP);
});
afterAll(async () => {
  await stopWorker();
  await app?.stop();
  await database.remove();
});

/** The route's status as Shopify sees it: a thrown Response is its status, any other error a 500. */
async function post(request: Request): Promise<number> {
  try {
    return (await productUpdate({ request: request.clone(), params: {}, context: {} })).status;
  } catch (thrown) {
    return thrown instanceof Response ? thrown.status : 500;
  }
}

const delivery = (id: number) =>
  webhookRequest(SHOP, "products/update", "/webhooks/products/update", {
    id,
    title: `Product ${id}`,
    status: "active",
    updated_at: "2026-11-01T00:00:00Z",
    variants: [{ id: id * 10, sku: `SKU-${id}`, price: "5.00", updated_at: "2026-11-01T00:00:00Z" }],
  });

/**
 * How many times each delivery was applied. A product-webhook job (one delivery, queued before the outage) records a
 * WEBHOOK event per run with its webhook id; a delivery through the route is applied by the shop's coalescing job,
 * which marks its receipt in the apply's transaction, and whose events count each delivery it applied once.
 */
async function runsByWebhookId(): Promise<Record<string, number>> {
  const { rows } = await pgPool().query<{ webhook_id: string; n: number }>(
    `SELECT metadata->>'webhookId' AS webhook_id, count(*)::int AS n FROM sync_event
      WHERE shop = $1 AND event_type = 'WEBHOOK' AND status = 'SUCCESS' AND metadata ? 'webhookId' GROUP BY 1
     UNION ALL
     SELECT webhook_id, 1 FROM webhook_delivery WHERE shop = $1 AND outcome = 'applied'`,
    [SHOP],
  );
  return Object.fromEntries(rows.map((r) => [r.webhook_id, r.n]));
}

/** Deliveries the coalescing jobs' events account for (each counted by the one batch that applied it). */
async function deliveriesInEvents(): Promise<number> {
  const { rows } = await pgPool().query<{ n: number }>(
    `SELECT coalesce(sum((metadata->>'deliveries')::int), 0)::int AS n FROM sync_event
      WHERE shop = $1 AND event_type = 'WEBHOOK' AND metadata ? 'deliveries'`,
    [SHOP],
  );
  return rows[0].n;
}

describe("PostgreSQL restarted while the app runs", () => {
  it("/healthz 503 then 200; a webhook posted in the outage is 5xx and its retry runs once; queued jobs run once", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const state = await startWorker({
      concurrency: 2,
      withCron: false,
      pollInterval: 100,
      sweepIntervalMs: 500,
      stallAfterMs: 1_000,
    });
    expect((await healthResponse()).status).toBe(200);

    // Before the outage: deliveries processed at once, and jobs queued to run while the database will be down.
    const before = [delivery(1), delivery(2)];
    for (const request of before) expect(await post(request)).toBe(200);
    await expect.poll(async () => Object.keys(await runsByWebhookId()).length, { timeout: 15_000 }).toBe(2);
    const queued = [3, 4, 5].map((id) => ({ id, webhookId: `queued-before-${id}` }));
    for (const { id, webhookId } of queued) {
      await enqueue(
        TASK.productWebhook,
        {
          shop: SHOP,
          topic: "products/update",
          webhookId,
          triggeredAt: null,
          payload: { id, title: `Queued ${id}`, status: "active", updated_at: "2026-11-01T00:00:00Z", variants: [] },
        },
        { runAt: new Date(Date.now() + 1_000) },
      );
    }

    await database.stop(); // a fast shutdown: every session is closed, the server process exits
    await expect.poll(async () => (await healthResponse()).status, { timeout: 15_000 }).toBe(503);
    const duringOutage = delivery(6);
    expect(await post(duringOutage)).toBeGreaterThanOrEqual(500);
    // Long enough for the queued jobs to fall due and the worker's fetches and sweeps to fail a few times.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    await database.start();
    await expect.poll(async () => (await healthResponse()).status, { timeout: 30_000, interval: 250 }).toBe(200);
    // Shopify's retry of the delivery that failed: the same request, the same webhook id.
    expect(await post(duringOutage)).toBe(200);
    expect(await post(duringOutage)).toBe(200); // and a repeat of it is a duplicate

    const webhookIdOf = (request: Request) => request.headers.get("X-Shopify-Webhook-Id")!;
    const expected = Object.fromEntries(
      [...before.map(webhookIdOf), ...queued.map((q) => q.webhookId), webhookIdOf(duringOutage)].map((id) => [id, 1]),
    );
    await expect.poll(runsByWebhookId, { timeout: 30_000, interval: 250 }).toEqual(expected);
    expect(await deliveriesInEvents()).toBe(before.length + 1);
    expect(await queuedJobs(TASK.productWebhook)).toEqual([]); // none failed, none left locked
    // The shop's deliveries job records its events before graphile-worker marks it complete: poll, not peek.
    await expect.poll(() => queuedJobs(TASK.productDeliveries), { timeout: 30_000, interval: 250 }).toEqual([]);
    expect(runningWorker()).toBe(state);
    // The runner was not wedged, only cut off: it fetches again on its own and is not replaced (worker-stall.server.ts).
    expect(state.restarts).toBe(0);
    const health = await (await healthResponse()).json();
    expect(health).toMatchObject({ ok: true, database: "up", worker: "running", workerLock: "held" });
    vi.restoreAllMocks();
  }, 120_000);
});
