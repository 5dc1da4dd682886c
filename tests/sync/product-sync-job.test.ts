import { runTaskListOnce, Logger, type TaskList } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { fanOutShopJobs } from "../../app/worker/fan-out.server";
import { enqueue, releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { createProductSyncTasks } from "../../app/worker/tasks/product-sync.server";
import { adminClientForShop } from "../../app/shopify-admin/client-for-shop.server";
import { enqueueExportCheckFromWebhook } from "../../app/sync/enqueue-export-check.server";
import type { RunningEmulator } from "../../emulator/index";
import { createTestShop, startTestEmulator } from "../support/emulator";
import { productLine, variantLine, chunked } from "./export-fixtures";
import { ingestBulkExport } from "../../app/sync/bulk-export-ingest.server";
import { createConnection, merchantIdOf } from "../support/merchants";
import { queuedJobs } from "../support/jobs";

// The daily product sync over real HTTP (the Shopify emulator) and a real PostgreSQL, run through graphile-worker.

let emulator: RunningEmulator;
const tasks = createProductSyncTasks({ adminClientFor: (shop) => adminClientForShop(shop), pollDelayMs: () => 0 });
const taskList: TaskList = {
  [TASK.productSync]: tasks.productSync,
  [TASK.productExportCheck]: tasks.productExportCheck,
};
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
  const summary = createTestShop(emulator, {
    domain,
    products: options.products ?? 0,
    variantsPerProduct: options.variantsPerProduct ?? 3,
  });
  await createConnection(domain);
  await prisma.session.create({
    data: { id: `offline_${domain}`, shop: domain, state: "", isOnline: false, accessToken: summary.accessToken },
  });
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

const eventsOf = (shop: string) =>
  prisma.syncEvent.findMany({ where: { shop, eventType: "PRODUCT_SYNC" }, orderBy: { id: "asc" } });
const hasEvent = (shop: string) => async () => (await eventsOf(shop)).length > 0;
const liveCounts = async (shop: string) => ({
  products: await prisma.product.count({ where: { shop, deletedAt: null } }),
  variants: await prisma.productVariant.count({ where: { shop, deletedAt: null } }),
});
async function startSync(shop: string, attempt = 1) {
  await enqueue(
    TASK.productSync,
    { shop, reason: "manual", ...(attempt > 1 ? { _retry: { attempt } } : {}) },
    { jobKey: `${TASK.productSync}:${shop}` },
  );
}

describe("product sync job", () => {
  it("happy path: cron fan-out -> bulk export -> polled -> streamed ingest -> rows and a SUCCESS event", async () => {
    const shop = await connectedShop({ products: 25, variantsPerProduct: 3 });
    const { scheduled } = await fanOutShopJobs({ task: TASK.productSync, firedAt: new Date(), windowMs: 0 });
    expect(scheduled).toBeGreaterThanOrEqual(1);
    await runJobsUntil(hasEvent(shop));

    expect(await liveCounts(shop)).toEqual({ products: 25, variants: 75 });
    const [event] = await eventsOf(shop);
    expect(event).toMatchObject({ status: "SUCCESS", itemCount: 100, merchantId: merchantIdOf(shop) });
    expect(event.processingTimeMs).toBeGreaterThanOrEqual(0);
    const operation = await prisma.bulkOperation.findFirstOrThrow({ where: { shop } });
    expect(operation).toMatchObject({ status: "COMPLETED", objectCount: 100n, error: null });
    expect(operation.ingestedAt).not.toBeNull();
    // The ingest's last progress report, kept on the row for the pages that show a running sync.
    expect(operation).toMatchObject({ ingestStage: "MERGING", linesRead: 100n });
    expect(event.metadata).toMatchObject({
      operationId: operation.id.toString(),
      productsWritten: 25,
      variantsWritten: 75,
      attempt: 1,
    });
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
    await ingestBulkExport({
      shop,
      source: chunked([productLine(9_999_999), variantLine(9_999_990, 9_999_999)]),
      complete: false,
    });
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
      expect.objectContaining({
        payload: expect.objectContaining({ _retry: expect.objectContaining({ attempt: 2 }) }),
      }),
    ]);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } })).lastProductSyncAt).toBeNull();
    await pgPool().query("DELETE FROM graphile_worker._private_jobs WHERE key = $1", [`${TASK.productSync}:${shop}`]);
  });

  it("ACCESS_DENIED: a FAILURE event, one admin notification, no retry", async () => {
    const shop = await connectedShop({ products: 3 });
    emulator.control.injectFault({
      shop,
      fault: { kind: "bulkFailed", errorCode: "ACCESS_DENIED", partialData: false },
    });
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
    expect((await eventsOf(shop))[0]).toMatchObject({
      status: "FAILURE",
      errorMessage: expect.stringMatching(/HTTP 403/),
    });
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
    const rows = (await queuedJobs(TASK.productSync)).filter((j) => j.payload.shop === shop);
    expect(rows).toEqual([
      expect.objectContaining({ attempts: 1, max_attempts: 1, last_error: expect.stringContaining("deactivated") }),
    ]);
    expect(await prisma.alert.count({ where: { shop } })).toBe(0);
  });

  it("a check that fails while merging (a database error): a FAILURE per attempt, in the shop's queue; an alert after the last; the sync queued again and converging", async () => {
    const shop = await connectedShop({ products: 4, variantsPerProduct: 1 });
    // A real error from PostgreSQL on every write to product, as a full disk would give.
    await pgPool().query(`CREATE OR REPLACE FUNCTION public.test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$`);
    await pgPool().query(
      `CREATE TRIGGER test_disk_full BEFORE INSERT OR UPDATE ON product FOR EACH STATEMENT EXECUTE FUNCTION public.test_disk_full()`,
    );
    const checkQueues = new Set<string | null>();
    const checkJobs = async () => ({
      rows: (await queuedJobs(TASK.productExportCheck)).filter(
        (j) => j.payload.shop === shop && j.attempts < j.max_attempts,
      ),
    });
    try {
      await startSync(shop);
      // Time passes: each queued retry of the check is made due at once (the product sync's follow-up is not).
      await runJobsUntil(async () => {
        const { rows } = await checkJobs();
        rows.forEach((row) => checkQueues.add(row.queue_name));
        await pgPool().query("UPDATE graphile_worker._private_jobs SET run_at = now() WHERE id = ANY($1::bigint[])", [
          rows.map((r) => r.id),
        ]);
        return (await prisma.alert.count({ where: { shop } })) > 0;
      }, 25_000);
    } finally {
      await pgPool().query("DROP TRIGGER test_disk_full ON product");
    }

    const failures = (await eventsOf(shop)).filter((e) => (e.metadata as { stage?: string }).stage === "finish");
    expect(failures.map((e) => [e.status, (e.metadata as { attempt: number }).attempt])).toEqual(
      [1, 2, 3, 4, 5].map((attempt) => ["FAILURE", attempt]),
    );
    expect(failures[0].errorMessage).toMatch(/No space left on device/);
    expect([...checkQueues]).toEqual([`product-export:${shop}`]); // every retry stayed in the shop's export queue
    const alerts = await prisma.alert.findMany({ where: { shop } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: "SYNC_FAILURE", severity: "CRITICAL", jobType: TASK.productSync });
    const [followUp] = (await queuedJobs(TASK.productSync)).filter((job) => job.payload.shop === shop);
    expect(followUp.payload).toMatchObject({ shop, reason: "follow-up", _retry: { attempt: 2 } });

    // The disk has room again; the follow-up sync runs and the catalogue arrives whole.
    await pgPool().query("UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1", [
      `${TASK.productSync}:${shop}`,
    ]);
    await runJobsUntil(async () => (await eventsOf(shop)).some((e) => e.status === "SUCCESS"));
    expect(await liveCounts(shop)).toEqual({ products: 4, variants: 4 });
  });

  it("a NUL character in a string of the export: that line is counted as malformed, the rest of the file is ingested", async () => {
    const shop = await connectedShop({ products: 3, variantsPerProduct: 1 });
    const clean = emulator.control.createProduct({ shop, title: "Clean", vendor: "Acme" });
    const damaged = emulator.control.createProduct({ shop, title: "Before" });
    await startSync(shop);
    await runJobsUntil(hasEvent(shop));
    expect(await liveCounts(shop)).toMatchObject({ products: 5 });

    // JSON allows \u0000 in a string; PostgreSQL's text does not, and COPY would reject the whole file.
    emulator.control.updateProduct({ shop, productId: damaged.id, title: "Nul\u0000Title" });
    emulator.control.updateProduct({ shop, productId: clean.id, tags: ["ok", "tag\u0000with nul"] });
    emulator.control.updateProduct({ shop, productId: clean.id, title: "Clean, renamed" });
    await startSync(shop, 1);
    await runJobsUntil(async () => (await eventsOf(shop)).length >= 2);

    const latest = (await eventsOf(shop)).at(-1)!;
    expect(latest.status).toBe("SUCCESS");
    expect(latest.metadata).toMatchObject({ malformedCount: 2 });
    // The damaged lines' products keep their last good state (not deleted, not overwritten); the rest is fresh.
    expect(await liveCounts(shop)).toMatchObject({ products: 5 });
    const titles = await prisma.product.findMany({
      where: { shop, deletedAt: null },
      select: { id: true, title: true },
    });
    expect(titles.find((p) => p.id === BigInt(damaged.legacyResourceId))?.title).toBe("Before");
    expect(titles.find((p) => p.id === BigInt(clean.legacyResourceId))?.title).toBe("Clean");
    const operation = await prisma.bulkOperation.findFirstOrThrow({ where: { shop }, orderBy: { startedAt: "desc" } });
    expect(JSON.stringify(operation.summary)).toMatch(/NUL/);
  });

  it("a locked store (423): waits hours with one WARNING, never spends its attempts or raises a CRITICAL, then syncs", async () => {
    const shop = await connectedShop({ products: 3, variantsPerProduct: 1 });
    emulator.control.injectFault({ shop, fault: { kind: "locked" } }); // 423 until cleared
    const pendingSync = async () => (await queuedJobs(TASK.productSync)).filter((job) => job.payload.shop === shop);
    await startSync(shop);

    // Five times the policy's attempts: each run meets the lock and waits again.
    for (let run = 0; run < 5; run++) {
      const before = Date.now();
      await runJobsUntil(async () => (await eventsOf(shop)).length > run);
      const [next] = await pendingSync();
      expect(next.run_at.getTime() - before).toBeGreaterThan(3 * 60 * 60_000); // hours, not a minute
      expect((next.payload._retry as { attempt?: number } | undefined)?.attempt ?? 1).toBe(1); // no attempt spent
      await pgPool().query("UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1", [
        `${TASK.productSync}:${shop}`,
      ]);
    }
    const alerts = await prisma.alert.findMany({ where: { shop } });
    expect(alerts.map((a) => [a.type, a.severity])).toEqual([["STORE_LOCKED", "WARNING"]]);
    expect(alerts[0].occurrences).toBe(5);
    expect((await eventsOf(shop)).every((e) => e.status === "FAILURE" && /423/.test(e.errorMessage ?? ""))).toBe(true);

    // Shopify unlocks the store: the waiting job syncs it.
    emulator.control.clearFaults({ shop });
    await runJobsUntil(async () => (await eventsOf(shop)).some((e) => e.status === "SUCCESS"));
    expect(await liveCounts(shop)).toEqual({ products: 3, variants: 3 });
    expect(await prisma.alert.count({ where: { shop, severity: "CRITICAL" } })).toBe(0);
  });
});
