import { runTaskListOnce, Logger, type TaskList } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { fanOutShopJobs } from "../../app/jobs/fan-out.server";
import { workerUtils, releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { createProductSyncTasks } from "../../app/jobs/tasks/product-sync.server";
import { adminClientForShop } from "../../app/shopify-admin/client-for-shop.server";
import { enqueueExportCheckFromWebhook } from "../../app/sync/enqueue-export-check.server";
import type { RunningEmulator } from "../../emulator/index";
import { createTestShop, startTestEmulator } from "../support/emulator";
import { createConnection, productLine, variantLine, chunked } from "./export-fixtures";
import { ingestBulkExport } from "../../app/sync/bulk-export-ingest.server";

// The daily product sync over real HTTP (the Shopify emulator) and a real PostgreSQL, run through graphile-worker.

let emulator: RunningEmulator;
const tasks = createProductSyncTasks({ adminClientFor: (shop) => adminClientForShop(shop), pollDelayMs: () => 0 });
const taskList: TaskList = { [TASK.productSync]: tasks.productSync, [TASK.productExportCheck]: tasks.productExportCheck };
const silent = new Logger(() => () => undefined);

beforeAll(async () => {
  emulator = await startTestEmulator();
  process.env.SHOPIFY_ADMIN_API_BASE = emulator.url;
});
afterAll(async () => {
  await releaseWorkerUtils();
  await emulator.stop();
  delete process.env.SHOPIFY_ADMIN_API_BASE;
});

let shopCounter = 0;
async function connectedShop(options: { products?: number; variantsPerProduct?: number } = {}) {
  const domain = `sync-${++shopCounter}-${Date.now() % 100000}.myshopify.com`;
  const summary = createTestShop(emulator, { domain, products: options.products ?? 0, variantsPerProduct: options.variantsPerProduct ?? 3 });
  await createConnection(domain);
  await prisma.session.create({ data: { id: `offline_${domain}`, shop: domain, state: "", isOnline: false, accessToken: summary.accessToken } });
  return domain;
}

/** Runs due jobs until `done` holds (jobs re-queued for "now", like polls here, run in the next round). */
async function runJobsUntil(done: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const client = await pgPool().connect();
    try {
      await runTaskListOnce({ pgPool: pgPool(), logger: silent }, taskList, client).promise;
    } finally {
      client.release();
    }
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  throw new Error("timed out waiting for the jobs");
}

const eventsOf = (shop: string) => prisma.syncEvent.findMany({ where: { shop, eventType: "PRODUCT_SYNC" }, orderBy: { id: "asc" } });
const hasEvent = (shop: string) => async () => (await eventsOf(shop)).length > 0;
const liveCounts = async (shop: string) => ({
  products: await prisma.product.count({ where: { shop, deletedAt: null } }),
  variants: await prisma.productVariant.count({ where: { shop, deletedAt: null } }),
});
async function queuedJobs(task: string) {
  const { rows } = await pgPool().query(
    `SELECT j.payload, j.run_at, j.key FROM graphile_worker._private_jobs j
       JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = $1`,
    [task],
  );
  return rows as Array<{ payload: Record<string, unknown>; run_at: Date; key: string | null }>;
}

async function startSync(shop: string, attempt = 1) {
  const utils = await workerUtils();
  await utils.addJob(TASK.productSync, { shop, reason: "manual", ...(attempt > 1 ? { _retry: { attempt } } : {}) }, { maxAttempts: 1, jobKey: `${TASK.productSync}:${shop}` });
}

describe("product sync job", () => {
  it("happy path: cron fan-out -> bulk export -> polled -> streamed ingest -> rows and a SUCCESS event", async () => {
    const shop = await connectedShop({ products: 25, variantsPerProduct: 3 });
    const utils = await workerUtils();
    const { scheduled } = await fanOutShopJobs({ task: TASK.productSync, firedAt: new Date(), windowMs: 0, addJobs: utils.addJobs });
    expect(scheduled).toBeGreaterThanOrEqual(1);
    await runJobsUntil(hasEvent(shop));

    expect(await liveCounts(shop)).toEqual({ products: 25, variants: 75 });
    const [event] = await eventsOf(shop);
    expect(event).toMatchObject({ status: "SUCCESS", itemCount: 100, merchantId: `m-${shop}` });
    expect(event.processingTimeMs).toBeGreaterThanOrEqual(0);
    const operation = await prisma.bulkOperation.findFirstOrThrow({ where: { shop } });
    expect(operation).toMatchObject({ status: "COMPLETED", objectCount: 100n, error: null });
    expect(operation.ingestedAt).not.toBeNull();
    // The ingest's last progress report, kept on the row for the pages that show a running sync.
    expect(operation).toMatchObject({ ingestStage: "MERGING", linesRead: 100n });
    expect(event.metadata).toMatchObject({ operationId: operation.id.toString(), productsWritten: 25, variantsWritten: 75, attempt: 1 });
    const connection = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } });
    expect(connection.lastProductSyncAt).not.toBeNull();
    expect(connection.lastCompleteExportAt).not.toBeNull();
    const variant = await prisma.productVariant.findFirstOrThrow({ where: { shop } });
    expect(variant.price).not.toBeNull();
    expect(variant.inventoryItemId).not.toBeNull();
  });

  it("adopts the export already building instead of starting another, and the finish webhook completes it once", async () => {
    const shop = await connectedShop({ products: 5 });
    await startSync(shop);
    const client = await pgPool().connect();
    // Run only product-sync (twice): the second run adopts the first run's export.
    const startOnly = { [TASK.productSync]: tasks.productSync };
    await runTaskListOnce({ pgPool: pgPool(), logger: silent }, startOnly, client).promise;
    await startSync(shop);
    await runTaskListOnce({ pgPool: pgPool(), logger: silent }, startOnly, client).promise;
    client.release();
    const operations = await prisma.bulkOperation.findMany({ where: { shop } });
    expect(operations).toHaveLength(1);
    expect(emulator.control.getShop({ shop }).stats).toBeDefined();

    // The webhook's job replaces the pending poll (same key) ...
    await enqueueExportCheckFromWebhook(shop, `gid://shopify/BulkOperation/${operations[0].id}`);
    expect(await queuedJobs(TASK.productExportCheck)).toHaveLength(1);
    await runJobsUntil(hasEvent(shop));
    // ... and a repeated finish webhook changes nothing.
    await enqueueExportCheckFromWebhook(shop, `gid://shopify/BulkOperation/${operations[0].id}`);
    await runJobsUntil(async () => (await queuedJobs(TASK.productExportCheck)).length === 0);
    expect((await eventsOf(shop)).map((e) => e.status)).toEqual(["SUCCESS"]);
    expect(await liveCounts(shop)).toEqual({ products: 5, variants: 15 });
  });

  it("FAILED with partial data: ingests the partial file, deletes nothing, records PARTIAL and queues the next attempt", async () => {
    const shop = await connectedShop({ products: 20, variantsPerProduct: 1 });
    // A product the shop no longer has: a complete export would soft-delete it, a partial one must not.
    await ingestBulkExport({ shop, source: chunked([productLine(9_999_999), variantLine(9_999_990, 9_999_999)]), complete: false });
    emulator.control.injectFault({ shop, fault: { kind: "bulkFailed", errorCode: "TIMEOUT", partialData: true } });
    await startSync(shop);
    await runJobsUntil(hasEvent(shop));

    const [event] = await eventsOf(shop);
    expect(event).toMatchObject({ status: "PARTIAL", errorMessage: expect.stringContaining("TIMEOUT") });
    const counts = await liveCounts(shop);
    expect(counts.products).toBeGreaterThan(1);
    expect(counts.products).toBeLessThan(21);
    expect(await prisma.product.count({ where: { shop, id: 9_999_999n, deletedAt: null } })).toBe(1);
    const retries = await queuedJobs(TASK.productSync);
    expect(retries.filter((j) => j.payload.shop === shop)).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ _retry: expect.objectContaining({ attempt: 2 }) }) }),
    ]);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).lastProductSyncAt).toBeNull();
    await pgPool().query("DELETE FROM graphile_worker._private_jobs WHERE key = $1", [`${TASK.productSync}:${shop}`]);
  });

  it("ACCESS_DENIED: a FAILURE event, one admin notification, no retry", async () => {
    const shop = await connectedShop({ products: 3 });
    emulator.control.injectFault({ shop, fault: { kind: "bulkFailed", errorCode: "ACCESS_DENIED", partialData: false } });
    await startSync(shop);
    await runJobsUntil(hasEvent(shop));
    const [event] = await eventsOf(shop);
    expect(event).toMatchObject({ status: "FAILURE", errorMessage: expect.stringContaining("ACCESS_DENIED") });
    expect((await queuedJobs(TASK.productSync)).filter((j) => j.payload.shop === shop)).toHaveLength(0);
    expect(await prisma.alert.count({ where: { shop, type: "SYNC_FAILURE" } })).toBe(1);
    expect(await liveCounts(shop)).toEqual({ products: 0, variants: 0 });
  });

  it("TIMEOUT on the last attempt: FAILURE, admins notified once, no further attempt", async () => {
    const shop = await connectedShop({ products: 3 });
    emulator.control.injectFault({ shop, fault: { kind: "bulkFailed", errorCode: "TIMEOUT", partialData: false } });
    await startSync(shop, 3);
    await runJobsUntil(hasEvent(shop));
    expect((await eventsOf(shop))[0]).toMatchObject({ status: "FAILURE" });
    expect((await queuedJobs(TASK.productSync)).filter((j) => j.payload.shop === shop)).toHaveLength(0);
    expect(await prisma.alert.count({ where: { shop, type: "SYNC_FAILURE" } })).toBe(1);
  });

  it("an expired result URL: nothing written, FAILURE, the export is retried", async () => {
    const shop = await connectedShop({ products: 4 });
    emulator.control.injectFault({ shop, fault: { kind: "bulkUrlExpired" } });
    await startSync(shop);
    await runJobsUntil(hasEvent(shop));
    expect((await eventsOf(shop))[0]).toMatchObject({ status: "FAILURE", errorMessage: expect.stringMatching(/HTTP 403/) });
    expect(await liveCounts(shop)).toEqual({ products: 0, variants: 0 });
    expect((await queuedJobs(TASK.productSync)).filter((j) => j.payload.shop === shop)).toHaveLength(1);
    await pgPool().query("DELETE FROM graphile_worker._private_jobs WHERE key = $1", [`${TASK.productSync}:${shop}`]);
  });

  it("a null URL (the shop has no products): a complete, empty export that soft-deletes what we had", async () => {
    const shop = await connectedShop({ products: 0 });
    await ingestBulkExport({ shop, source: chunked([productLine(1), variantLine(10, 1)]), complete: true });
    await startSync(shop);
    await runJobsUntil(hasEvent(shop));
    const [event] = await eventsOf(shop);
    expect(event).toMatchObject({ status: "SUCCESS", itemCount: 0 });
    expect(event.metadata).toMatchObject({ emptyExport: true, productsDeleted: 1, variantsDeleted: 1 });
    expect(await liveCounts(shop)).toEqual({ products: 0, variants: 0 });
  });

  it("a revoked token deactivates the connection and fails for good: no retry, no alert", async () => {
    const shop = await connectedShop({ products: 2 });
    emulator.control.revokeTokens({ shop });
    await startSync(shop);
    await runJobsUntil(hasEvent(shop));
    expect((await eventsOf(shop))[0]).toMatchObject({ status: "FAILURE", errorMessage: expect.stringMatching(/401/) });
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).active).toBe(false);
    const { rows } = await pgPool().query(
      `SELECT j.attempts, j.max_attempts, j.last_error FROM graphile_worker._private_jobs j
         JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = $1 AND j.payload->>'shop' = $2`,
      [TASK.productSync, shop],
    );
    expect(rows).toEqual([expect.objectContaining({ attempts: 1, max_attempts: 1, last_error: expect.stringContaining("deactivated") })]);
    expect(await prisma.alert.count({ where: { shop } })).toBe(0);
  });
});
