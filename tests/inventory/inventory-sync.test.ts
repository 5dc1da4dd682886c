import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { applyInventoryWebhook } from "../../app/inventory/apply-inventory-webhook.server";
import { syncInventory } from "../../app/inventory/sync-inventory.server";
import type { DataOf } from "../../app/shopify-admin/graphql-document";
import { INVENTORY_LEVELS_QUERY } from "../../app/shopify-admin/operations";
import { PermanentJobError } from "../../app/worker/define-task.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { createInventorySyncTask } from "../../app/worker/tasks/inventory-sync.server";
import { inventoryWebhook } from "../../app/worker/tasks/inventory-webhook.server";
import type { RunningEmulator } from "../../emulator";
import {
  adjustableClock,
  emulatedShop,
  localQuantities,
  shopifyQuantities,
  startClockedEmulator,
} from "./emulated-shop";
import { fakeHelpers, queuedJobs } from "../support/jobs";

type LevelsPage = DataOf<typeof INVENTORY_LEVELS_QUERY>;

const MINUTE = 60_000;
const clock = adjustableClock();
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startClockedEmulator(clock);
});

afterAll(async () => {
  await emulator?.stop();
  await releaseWorkerUtils();
});

async function inventoryEvents(shop: string) {
  return prisma.syncEvent.findMany({ where: { shop, eventType: "INVENTORY_SYNC" }, orderBy: { id: "asc" } });
}

describe("the hourly inventory sync against the emulator", () => {
  it("reads every page on the first run (past 250 levels) and applies them all", async () => {
    const { shop, client, locationId } = await emulatedShop(emulator, {
      domain: "paging.myshopify.com",
      products: 160,
    });

    const result = await syncInventory({ shop, client, now: clock.now });

    expect(result.mode).toBe("full");
    expect(result.levels).toBe(320);
    expect(result.pages).toBeGreaterThanOrEqual(2);
    expect(result.changed).toBe(320); // local quantities started unknown
    expect(result.unknown).toBe(0);
    expect(await localQuantities(shop)).toEqual(shopifyQuantities(emulator, shop, locationId, 160));
    const connection = await prisma.merchantConnection.findUnique({ where: { shop } });
    expect(connection?.lastInventorySyncAt).not.toBeNull();
    const [event] = await inventoryEvents(shop);
    expect(event).toMatchObject({ status: "SUCCESS", itemCount: 320 });
    expect(event.metadata).toMatchObject({ mode: "full", levels: 320, pages: result.pages, unknown: 0 });
  });

  it("reads only the levels changed since the last sync the second time, and counts only real changes", async () => {
    const { shop, client, locationId, otherLocationId } = await emulatedShop(emulator, {
      domain: "incremental.myshopify.com",
      products: 20,
    });
    await syncInventory({ shop, client, now: clock.now });

    clock.advance(10 * MINUTE);
    const [first, second] = emulator.control.listProducts({ shop, limit: 2 });
    const location = `gid://shopify/Location/${locationId}`;
    emulator.control.setInventory({ shop, variantId: first.variants[0].id, locationId: location, available: 901 });
    emulator.control.setInventory({ shop, variantId: first.variants[1].id, locationId: location, available: 902 });
    // Touched but the same quantity: read (its updatedAt moved), not counted as a change.
    const same = second.variants[0].inventory.find((l) => l.locationId === location)!.available;
    emulator.control.setInventory({ shop, variantId: second.variants[0].id, locationId: location, available: same });
    // Another location: not read at all.
    emulator.control.setInventory({
      shop,
      variantId: second.variants[1].id,
      locationId: otherLocationId,
      available: 5,
    });
    clock.advance(10 * MINUTE);

    const result = await syncInventory({ shop, client, now: clock.now });

    expect(result.mode).toBe("incremental");
    expect(result.levels).toBe(3);
    expect(result.pages).toBe(1);
    expect(result.changed).toBe(2);
    const local = await localQuantities(shop);
    expect(local.get(String(first.variants[0].legacyResourceId))).toBe(901);
    expect(local.get(String(first.variants[1].legacyResourceId))).toBe(902);
  });

  it("reads everything again when the last sync is too old", async () => {
    const { shop, client } = await emulatedShop(emulator, { domain: "too-old.myshopify.com", products: 5 });
    await pgPool().query(`UPDATE merchant_connection SET last_inventory_sync_at = $2 WHERE shop = $1`, [
      shop,
      new Date(clock.now().getTime() - 3 * 24 * 60 * MINUTE),
    ]);
    const result = await syncInventory({ shop, client, now: clock.now });
    expect(result.mode).toBe("full");
    expect(result.levels).toBe(10);
  });

  it("leaves products that are not selected alone", async () => {
    const { shop, client } = await emulatedShop(emulator, {
      domain: "selection.myshopify.com",
      products: 4,
      localQuantity: -7,
    });
    await pgPool().query(
      `UPDATE product SET selected = false WHERE shop = $1 AND id = (SELECT min(id) FROM product WHERE shop = $1)`,
      [shop],
    );
    const result = await syncInventory({ shop, client, now: clock.now });
    expect(result.notSelected).toBe(2);
    expect(result.changed).toBe(6);
    const { rows } = await pgPool().query(
      `SELECT v.available_quantity FROM product_variant v JOIN product p ON p.shop = v.shop AND p.id = v.product_id
        WHERE v.shop = $1 AND NOT p.selected`,
      [shop],
    );
    expect(rows.map((r) => r.available_quantity)).toEqual([-7, -7]);
  });

  it("skips a shop with an empty selection without calling Shopify", async () => {
    const { shop, client } = await emulatedShop(emulator, { domain: "empty-selection.myshopify.com", products: 2 });
    await pgPool().query(`UPDATE product SET selected = false WHERE shop = $1`, [shop]);
    const result = await syncInventory({ shop, client, now: clock.now });
    expect(result.skipped).toBe("empty-selection");
    expect(client.stats.requests).toBe(0);
  });

  it("records variants unknown locally and queues a product sync of that shop", async () => {
    const { shop, client } = await emulatedShop(emulator, { domain: "unknown.myshopify.com", products: 3 });
    const created = emulator.control.createProduct({
      shop,
      title: "New in Shopify",
      variants: [{ available: 4 }, { available: 6 }],
    });

    const result = await syncInventory({ shop, client, now: clock.now });

    const createdItems = created.variants.map((v) => v.inventoryItemId.split("/").pop()!);
    expect(result.unknown).toBe(2);
    expect(result.unknownSampleInventoryItemIds.sort()).toEqual([...createdItems].sort());
    // Not lost: their levels are stored, for the variants the product sync brings (which take their quantity there).
    const { rows: stored } = await pgPool().query<{ item: string; available: number }>(
      `SELECT inventory_item_id::text AS item, available FROM inventory_level
        WHERE shop = $1 AND inventory_item_id = ANY ($2::bigint[]) ORDER BY available`,
      [shop, createdItems],
    );
    expect(stored).toEqual([
      { item: createdItems[0], available: 4 },
      { item: createdItems[1], available: 6 },
    ]);
    expect(result.productSyncQueued).toBe(true);
    const jobs = (await queuedJobs(TASK.productSync)).filter((j) => j.payload.shop === shop);
    expect(jobs).toHaveLength(1);
    const [event] = await inventoryEvents(shop);
    expect(event.metadata).toMatchObject({ unknown: 2, productSyncQueued: true });
  });

  it("finds the primary location when the connection has no default location", async () => {
    const { shop, client, locationId } = await emulatedShop(emulator, {
      domain: "no-location.myshopify.com",
      products: 2,
    });
    await pgPool().query(`UPDATE merchant_connection SET default_location_id = NULL WHERE shop = $1`, [shop]);
    const result = await syncInventory({ shop, client, now: clock.now });
    expect(result.levels).toBe(4);
    const connection = await prisma.merchantConnection.findUnique({ where: { shop } });
    expect(connection?.defaultLocationId).toBe(BigInt(locationId));
  });
});

describe("failure paths", () => {
  // The sync gathers its pages and applies them a batch at a time (INVENTORY_APPLY_BATCH_SIZE). Shopify fails the
  // third page for good here, after the client's retries.
  async function failingOnThirdPage(domain: string, applyBatchSize: number) {
    const { shop, client } = await emulatedShop(emulator, {
      domain,
      products: 200,
      clientOptions: { backoff: { baseMs: 1, maxMs: 2 } },
    });
    let levelPages = 0;
    const readLevels: number[] = [];
    const failing = new Proxy(client, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (property !== "request") return typeof value === "function" ? value.bind(target) : value;
        return (query: unknown, variables: unknown) => {
          if (query === INVENTORY_LEVELS_QUERY && ++levelPages === 3)
            emulator.control.injectFault({ shop, fault: { kind: "http", status: 500, count: 1_000 } });
          const answer = target.request(query as never, variables as never);
          if (query === INVENTORY_LEVELS_QUERY)
            void answer.then(
              (data) => readLevels.push((data as LevelsPage).location!.inventoryLevels.nodes.length),
              () => undefined,
            );
          return answer;
        };
      },
    });
    await expect(
      syncInventory({ shop, client: failing, now: clock.now, pageSize: 50, applyBatchSize }),
    ).rejects.toThrow();
    emulator.control.clearFaults({ shop });
    const applied = [...(await localQuantities(shop)).values()].filter((q) => q !== null).length;
    const connection = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } });
    return { shop, client, applied, readLevels, lastInventorySyncAt: connection.lastInventorySyncAt };
  }

  it("applies what it gathered once a batch is full, before a later page fails", async () => {
    const { applied, readLevels } = await failingOnThirdPage("batch-applied.myshopify.com", 1);
    // A page of 50, then as many as the cost allows: the two pages read before the failure, each applied.
    expect(readLevels).toHaveLength(2);
    expect(readLevels[0]).toBe(50);
    expect(applied).toBe(readLevels[0] + readLevels[1]);
  });

  it("leaves a batch not yet full unapplied when a page fails, and the next run reads it again", async () => {
    const { shop, client, applied, lastInventorySyncAt } = await failingOnThirdPage(
      "batch-pending.myshopify.com",
      10_000,
    );
    expect(applied).toBe(0);
    expect(lastInventorySyncAt).toBeNull();
    const next = await syncInventory({ shop, client, now: clock.now });
    expect(next).toMatchObject({ mode: "full", levels: 400, changed: 400 });
  });

  it("retries 5xx answers inside the client and still completes", async () => {
    const { shop, client } = await emulatedShop(emulator, { domain: "flaky.myshopify.com", products: 5 });
    emulator.control.injectFault({ shop, fault: { kind: "http", status: 503, count: 2 } });
    const result = await syncInventory({ shop, client, now: clock.now });
    expect(result.levels).toBe(10);
    expect(client.stats.retries).toBeGreaterThanOrEqual(2);
  });

  it("waits out a throttled shop instead of failing", async () => {
    const { shop, client } = await emulatedShop(emulator, { domain: "throttled.myshopify.com", products: 5 });
    emulator.control.drainBucket({ shop });
    const result = await syncInventory({ shop, client, now: clock.now });
    expect(result.levels).toBe(10);
    expect(client.stats.waitedMs + client.stats.throttled).toBeGreaterThan(0);
  });

  it("deactivates the connection on a revoked token (401) and fails for good, with one alert", async () => {
    const { shop, client } = await emulatedShop(emulator, { domain: "revoked.myshopify.com", products: 2 });
    emulator.control.revokeTokens({ shop });
    const task = createInventorySyncTask({ clientFor: async () => client });
    const helpers = fakeHelpers();

    await expect(task({ shop }, helpers)).rejects.toBeInstanceOf(PermanentJobError);

    expect(helpers.added).toHaveLength(0); // no retry queued
    const connection = await prisma.merchantConnection.findUnique({ where: { shop } });
    expect(connection?.active).toBe(false);
    const [event] = await inventoryEvents(shop);
    expect(event).toMatchObject({ status: "FAILURE" });
    expect(await prisma.alert.count({ where: { shop, type: "SYNC_FAILURE", jobType: TASK.inventorySync } })).toBe(1);
  });

  it("queues a retry for an ordinary failure before the last attempt, without an alert", async () => {
    const { shop, client } = await emulatedShop(emulator, {
      domain: "failing.myshopify.com",
      products: 2,
      clientOptions: { backoff: { baseMs: 5, maxMs: 10 } },
    });
    emulator.control.injectFault({ shop, fault: { kind: "http", status: 500, count: 50 } });
    const task = createInventorySyncTask({ clientFor: async () => client });
    const helpers = fakeHelpers();
    await task({ shop }, helpers); // attempt 1 fails, attempt 2 is queued
    expect(helpers.added).toHaveLength(1);
    expect(await prisma.alert.count({ where: { shop } })).toBe(0);
    emulator.control.clearFaults({ shop });
  });
});

describe("inventory_levels/update webhooks", () => {
  it("apply one level through the same path, and never let an older one overwrite a newer one", async () => {
    const { shop, locationId } = await emulatedShop(emulator, {
      domain: "webhooks.myshopify.com",
      products: 1,
      localQuantity: 1,
    });
    const [product] = emulator.control.listProducts({ shop, limit: 1 });
    const variant = product.variants[0];
    const location = `gid://shopify/Location/${locationId}`;
    emulator.control.setInventory({ shop, variantId: variant.id, locationId: location, available: 10, notify: true });
    clock.advance(5 * MINUTE);
    emulator.control.setInventory({ shop, variantId: variant.id, locationId: location, available: 20, notify: true });
    await emulator.control.waitForWebhooks();
    const [older, newer] = emulator.control
      .webhookDeliveries({ shop, topic: "inventory_levels/update" })
      .map(
        (d) => d.payload as { inventory_item_id: number; location_id: number; available: number; updated_at: string },
      );
    expect(older.available).toBe(10);
    expect(newer.available).toBe(20);

    // Delivered out of order: the newer first, the older a day late.
    await inventoryWebhook({ shop, ...newer }, fakeHelpers());
    await inventoryWebhook({ shop, ...older }, fakeHelpers());
    expect((await localQuantities(shop)).get(String(variant.legacyResourceId))).toBe(20);

    const again = await applyInventoryWebhook(shop, {
      inventoryItemId: BigInt(older.inventory_item_id),
      locationId: BigInt(older.location_id),
      available: older.available,
      updatedAt: new Date(older.updated_at),
    });
    expect(again).toMatchObject({ outcome: "applied", result: { changed: 0, stale: 1 } });
  });

  it("ignore other locations and queue a product sync for an unknown item", async () => {
    const { shop, locationId } = await emulatedShop(emulator, {
      domain: "webhooks-2.myshopify.com",
      products: 1,
      localQuantity: 1,
    });
    const [product] = emulator.control.listProducts({ shop, limit: 1 });
    const item = BigInt(product.variants[0].inventoryItemId.split("/").pop()!);
    const other = await applyInventoryWebhook(shop, {
      inventoryItemId: item,
      locationId: BigInt(locationId + 1),
      available: 50,
      updatedAt: clock.now(),
    });
    expect(other).toEqual({ outcome: "ignored", reason: "other-location" });
    expect((await localQuantities(shop)).get(String(product.variants[0].legacyResourceId))).toBe(1);

    const unknown = await applyInventoryWebhook(shop, {
      inventoryItemId: 999_999_999n,
      locationId: BigInt(locationId),
      available: 3,
      updatedAt: clock.now(),
    });
    expect(unknown).toMatchObject({
      outcome: "applied",
      productSyncQueued: true,
      result: { unknownInventoryItemIds: [999_999_999n] },
    });
    expect((await queuedJobs(TASK.productSync)).filter((j) => j.payload.shop === shop)).toHaveLength(1);
  });

  it("reject a malformed payload for good", async () => {
    await expect(
      inventoryWebhook({ shop: "x.myshopify.com", inventory_item_id: "abc" }, fakeHelpers()),
    ).rejects.toBeInstanceOf(PermanentJobError);
  });
});
