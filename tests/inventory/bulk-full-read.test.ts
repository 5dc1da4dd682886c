import { runTaskListOnce, Logger, type TaskList } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { syncInventory, type SyncInventoryOptions } from "../../app/inventory/sync-inventory.server";
import { enqueue, releaseWorkerUtils } from "../../app/jobs/queue.server";
import { shopJobOptions } from "../../app/jobs/shop-jobs";
import { TASK } from "../../app/jobs/task-names";
import type { AdminClient } from "../../app/shopify-admin/admin-client.server";
import { enqueueExportCheckFromWebhook } from "../../app/sync/enqueue-export-check.server";
import {
  fetchResultFile,
  finishProductExport,
  type ResultFileOpener,
} from "../../app/sync/finish-product-export.server";
import { createInventoryReadCheckTask } from "../../app/worker/tasks/inventory-read-check.server";
import { createProductSyncTasks } from "../../app/worker/tasks/product-sync.server";
import type { RunningEmulator } from "../../emulator";
import { startTestEmulator, startWebhookReceiver, waitUntil } from "../support/emulator";
import { queuedJobs } from "../support/jobs";
import { emulatedShop, localQuantities, shopifyQuantities, type EmulatedShop } from "./emulated-shop";

// A full read of a shop's levels through a bulk operation (app/inventory/inventory-read-operation.server.ts), over
// real HTTP to the emulator and a real PostgreSQL: the sync starts it and returns; the bulk_operations/finish
// webhook (enqueueExportCheckFromWebhook, what the route does) queues the check of its kind, which applies the file.

let emulator: RunningEmulator;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const clients = new Map<string, AdminClient>();
const silent = new Logger(() => () => undefined);
const clientFor = async (shop: string) => clients.get(shop)!;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  emulator = await startTestEmulator({ appUrl: receiver.url });
});
afterAll(async () => {
  await emulator?.stop();
  await receiver?.close();
  await releaseWorkerUtils();
});

function taskList(options: { openResultFile?: ResultFileOpener; applyBatchSize?: number } = {}): TaskList {
  const product = createProductSyncTasks({ adminClientFor: clientFor, pollDelayMs: () => 3_600_000 });
  return {
    [TASK.inventoryReadCheck]: createInventoryReadCheckTask({ clientFor, pollDelayMs: () => 0, ...options }),
    [TASK.productSync]: product.productSync,
    [TASK.productExportCheck]: product.productExportCheck,
  };
}

async function runJobsUntil(tasks: TaskList, done: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const client = await pgPool().connect();
    try {
      await runTaskListOnce({ pgPool: pgPool(), logger: silent }, tasks, client).promise;
    } finally {
      client.release();
    }
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  throw new Error("timed out waiting for the jobs");
}

let shopCounter = 0;
async function bulkShop(products: number, plan: "STANDARD" | "PLUS" = "PLUS"): Promise<EmulatedShop> {
  const domain = `bulk-read-${++shopCounter}.myshopify.com`;
  const shop = await emulatedShop(emulator, { domain, products, plan, localQuantity: null });
  clients.set(domain, shop.client);
  return shop;
}

/** The sync's run: a full read of at least one level goes bulk here; the first poll waits an hour (the webhook comes). */
function startRead(shop: EmulatedShop, options: Partial<SyncInventoryOptions> = {}) {
  return syncInventory({
    shop: shop.shop,
    client: shop.client,
    bulkReadMinLevels: 1,
    bulkFirstCheckDelayMs: 3_600_000,
    ...options,
  });
}

/** Waits for Shopify's bulk_operations/finish of the operation and does what the webhook route does with it. */
async function deliverFinish(shop: string, operationId: string) {
  const gid = `gid://shopify/BulkOperation/${operationId}`;
  await waitUntil(
    async () =>
      receiver.received.some(
        (w) =>
          w.headers["x-shopify-shop-domain"] === shop &&
          (JSON.parse(w.rawBody) as { admin_graphql_api_id?: string }).admin_graphql_api_id === gid,
      ),
    15_000,
  );
  await enqueueExportCheckFromWebhook(shop, gid);
}

const inventoryEvents = (shop: string) =>
  prisma.syncEvent.findMany({ where: { shop, eventType: "INVENTORY_SYNC" }, orderBy: { id: "asc" } });
const hasInventoryEvent = (shop: string) => async () => (await inventoryEvents(shop)).length > 0;

async function storedLevel(shop: string, inventoryItemId: number, locationId: number) {
  const { rows } = await pgPool().query<{ available: number | null }>(
    "SELECT available FROM inventory_level WHERE shop = $1 AND inventory_item_id = $2 AND location_id = $3",
    [shop, inventoryItemId, locationId],
  );
  return rows[0];
}

/** A level we hold for an item Shopify no longer stocks at the location (its disconnect webhook was lost). */
const GONE_ITEM = 987_654_321;
async function storeGoneLevel(shop: EmulatedShop) {
  await pgPool().query(
    `INSERT INTO inventory_level (shop, inventory_item_id, location_id, available, updated_at, observed_at)
     VALUES ($1, $2, $3, 5, now() - interval '2 hours', now() - interval '2 hours')`,
    [shop.shop, GONE_ITEM, shop.locationId],
  );
}

describe("a full inventory read through a bulk operation", () => {
  it("is started by the sync, which applies and records nothing; the check applies every level and records the run", async () => {
    const shop = await bulkShop(30);
    const result = await startRead(shop);

    expect(result).toMatchObject({ mode: "full", pages: 0, levels: 0 });
    expect(result.bulkRead).toMatchObject({ alreadyRunning: false, estimatedLevels: 60 });
    const operationId = result.bulkRead!.operationId;
    const { rows } = await pgPool().query("SELECT kind::text, summary FROM bulk_operation WHERE id = $1", [
      operationId,
    ]);
    expect(rows[0]).toMatchObject({ kind: "INVENTORY_READ", summary: { mode: "full", syncAttempt: 1 } });
    expect([...(await localQuantities(shop.shop)).values()].every((q) => q === null)).toBe(true);
    expect(await inventoryEvents(shop.shop)).toHaveLength(0);
    expect(
      (await prisma.merchantConnection.findUnique({ where: { shop: shop.shop } }))!.lastInventorySyncAt,
    ).toBeNull();

    // The next hourly run while it builds starts no second read of the same locations.
    const again = await startRead(shop);
    expect(again.bulkRead).toEqual({ operationId, alreadyRunning: true, estimatedLevels: 60 });

    await deliverFinish(shop.shop, operationId);
    // The webhook's check took the place of the pending poll of the same read.
    const checks = await queuedJobs(TASK.inventoryReadCheck);
    expect(checks.filter((j) => j.payload.shop === shop.shop)).toHaveLength(1);
    await runJobsUntil(taskList(), hasInventoryEvent(shop.shop));

    expect(await localQuantities(shop.shop)).toEqual(shopifyQuantities(emulator, shop.shop, shop.locationId, 30));
    const [event] = await inventoryEvents(shop.shop);
    expect(event).toMatchObject({ status: "SUCCESS", itemCount: 60 });
    expect(event.metadata).toMatchObject({
      mode: "full",
      read: "bulk",
      operationId,
      levels: 60,
      changed: 60,
      removed: 0,
    });
    const connection = await prisma.merchantConnection.findUnique({ where: { shop: shop.shop } });
    expect(connection!.lastInventorySyncAt).not.toBeNull();

    // From there the hourly read is incremental and paged.
    const next = await startRead(shop);
    expect(next.mode).toBe("incremental");
    expect(next.bulkRead).toBeUndefined();
  });

  it("marks a stored level the read did not return as gone, and a reconciliation counts what it corrected", async () => {
    const shop = await bulkShop(10);
    await storeGoneLevel(shop);
    const result = await startRead(shop, { reconcile: true });
    expect(result.mode).toBe("reconcile");
    await deliverFinish(shop.shop, result.bulkRead!.operationId);
    await runJobsUntil(taskList(), hasInventoryEvent(shop.shop));

    expect(await storedLevel(shop.shop, GONE_ITEM, shop.locationId)).toEqual({ available: null });
    const [event] = await inventoryEvents(shop.shop);
    expect(event.status).toBe("SUCCESS");
    expect(event.metadata).toMatchObject({ mode: "reconcile", removed: 1, changed: 20, corrected: 20 });
    expect(await localQuantities(shop.shop)).toEqual(shopifyQuantities(emulator, shop.shop, shop.locationId, 10));
  });

  const failures: Array<{
    name: string;
    fault?: Parameters<RunningEmulator["control"]["injectFault"]>[0]["fault"];
    openResultFile?: ResultFileOpener;
    message: RegExp;
  }> = [
    {
      name: "FAILED with partial data",
      fault: { kind: "bulkFailed", errorCode: "TIMEOUT", partialData: true },
      message: /FAILED with TIMEOUT \(its partial data is not applied\)/,
    },
    { name: "an expired URL", fault: { kind: "bulkUrlExpired" }, message: /could not be downloaded \(HTTP 403\)/ },
    {
      // After many batches applied (a batch of one level): the transaction takes them back.
      name: "a malformed last line",
      openResultFile: async (url) =>
        (async function* () {
          yield* (await fetchResultFile(url)) as AsyncIterable<Uint8Array>;
          yield '\n{"id":"gid:\\/\\/shopify\\/InventoryLevel\\/1?inventory_item_id=1","updat';
        })(),
      message: /line 22 of the read is not JSON/,
    },
    {
      name: "a download cut short",
      openResultFile: async (url) => {
        const text = await (await fetch(url)).text();
        return (async function* () {
          yield text.split("\n").slice(0, -3).join("\n");
        })();
      },
      message: /download truncated: read 18 lines of 21 objects/,
    },
  ];

  for (const failure of failures) {
    it(`changes nothing when the read ends badly: ${failure.name}; a FAILURE event and the run queued again`, async () => {
      const shop = await bulkShop(10);
      await storeGoneLevel(shop);
      if (failure.fault) emulator.control.injectFault({ shop: shop.shop, fault: failure.fault });
      const result = await startRead(shop);
      await deliverFinish(shop.shop, result.bulkRead!.operationId);
      await runJobsUntil(
        taskList({ openResultFile: failure.openResultFile, applyBatchSize: 1 }),
        hasInventoryEvent(shop.shop),
      );

      const [event] = await inventoryEvents(shop.shop);
      expect(event).toMatchObject({ status: "FAILURE", errorMessage: expect.stringMatching(failure.message) });
      expect(event.metadata).toMatchObject({ mode: "full", read: "bulk", attempt: 1, maxAttempts: 3 });
      expect([...(await localQuantities(shop.shop)).values()].every((q) => q === null)).toBe(true);
      expect(await storedLevel(shop.shop, GONE_ITEM, shop.locationId)).toEqual({ available: 5 });
      const { rows } = await pgPool().query("SELECT count(*)::int AS n FROM inventory_level WHERE shop = $1", [
        shop.shop,
      ]);
      expect(rows[0].n).toBe(1);
      const connection = await prisma.merchantConnection.findUnique({ where: { shop: shop.shop } });
      expect(connection!.lastInventorySyncAt).toBeNull();
      const retry = (await queuedJobs(TASK.inventorySync)).filter((j) => j.payload.shop === shop.shop);
      expect(retry).toHaveLength(1);
      expect(retry[0].payload).toMatchObject({ reason: "follow-up", _retry: { attempt: 2 } });
    });
  }

  it("runs beside the shop's product export: each finishes as its own kind", async () => {
    const shop = await bulkShop(12);
    const read = await startRead(shop);
    const inventoryOperation = read.bulkRead!.operationId;
    // The daily product sync starts while the read builds: it starts its own export, it does not adopt the read.
    await enqueue(
      TASK.productSync,
      { shop: shop.shop, reason: "schedule" },
      shopJobOptions(TASK.productSync, shop.shop),
    );
    await runJobsUntil(taskList(), async () => {
      const { rows } = await pgPool().query(
        "SELECT 1 FROM bulk_operation WHERE shop = $1 AND kind = 'PRODUCT_EXPORT'",
        [shop.shop],
      );
      return rows.length > 0;
    });
    const { rows: operations } = await pgPool().query<{ id: string; kind: string }>(
      "SELECT id::text, kind::text FROM bulk_operation WHERE shop = $1 ORDER BY kind",
      [shop.shop],
    );
    expect(operations).toHaveLength(2);
    const productOperation = operations.find((o) => o.kind === "PRODUCT_EXPORT")!.id;
    expect(productOperation).not.toBe(inventoryOperation);
    // The product export's own check, handed the read, leaves it alone.
    expect(
      await finishProductExport({ client: shop.client, shop: shop.shop, operationId: inventoryOperation }),
    ).toEqual({ kind: "unknown-operation" });

    await deliverFinish(shop.shop, inventoryOperation);
    await deliverFinish(shop.shop, productOperation);
    const checks = (await queuedJobs()).filter((j) => j.payload.shop === shop.shop && j.run_at <= new Date());
    expect(checks.map((j) => [j.task_identifier, j.payload.operationId]).sort()).toEqual(
      [
        [TASK.inventoryReadCheck, inventoryOperation],
        [TASK.productExportCheck, productOperation],
      ].sort(),
    );
    await runJobsUntil(taskList(), async () => {
      const events = await prisma.syncEvent.count({ where: { shop: shop.shop, status: "SUCCESS" } });
      return events >= 2;
    });

    const events = await prisma.syncEvent.findMany({ where: { shop: shop.shop }, orderBy: { id: "asc" } });
    const byType = Object.fromEntries(events.map((e) => [e.eventType, e]));
    expect(byType.INVENTORY_SYNC).toMatchObject({ status: "SUCCESS", metadata: { operationId: inventoryOperation } });
    expect(byType.PRODUCT_SYNC).toMatchObject({ status: "SUCCESS", metadata: { operationId: productOperation } });
    const { rows: handled } = await pgPool().query(
      "SELECT count(*)::int AS n FROM bulk_operation WHERE shop = $1 AND ingested_at IS NOT NULL AND error IS NULL",
      [shop.shop],
    );
    expect(handled[0].n).toBe(2);
    expect(await localQuantities(shop.shop)).toEqual(shopifyQuantities(emulator, shop.shop, shop.locationId, 12));
  });

  it("spends the same points whatever the number of levels (the paged read: 3 a level)", async () => {
    const spentOn = async (products: number) => {
      const shop = await bulkShop(products, "STANDARD");
      emulator.control.resetStats({ shop: shop.shop });
      const result = await startRead(shop);
      await deliverFinish(shop.shop, result.bulkRead!.operationId);
      await runJobsUntil(taskList(), hasInventoryEvent(shop.shop));
      const [event] = await inventoryEvents(shop.shop);
      expect(event.metadata).toMatchObject({ levels: products * 2 });
      return { points: emulator.control.getShop({ shop: shop.shop }).stats.pointsSpent, client: shop.client };
    };
    const small = await spentOn(20);
    const large = await spentOn(600);
    // The bulkOperationRunQuery mutation and one bulkOperation(id:) read; the 1,200 levels would cost 3,600 paged.
    expect(large.points).toBe(small.points);
    expect(large.points).toBeLessThan(3 * 40);
    expect(large.client.stats.throttled).toBe(0);
  });
});
