import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { syncInventory } from "../../app/inventory/sync-inventory.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { createInventorySyncTask } from "../../app/worker/tasks/inventory-sync.server";
import { reconciliationCorrections } from "../../app/inventory/reconciliation-corrections.server";
import { lastReconciliation, loadMerchantAdminDetail } from "../../app/merchants/merchant-admin-detail.server";
import { loadSyncMonitor } from "../../app/monitoring/load-sync-monitor.server";
import type { RunningEmulator } from "../../emulator";
import {
  adjustableClock,
  emulatedShop,
  localQuantities,
  shopifyQuantities,
  startClockedEmulator,
} from "./emulated-shop";
import { fakeHelpers } from "../support/jobs";

// The daily reconciliation reads every level of every marketplace location: Shopify documents no promise that an
// order moves a level's updatedAt (which the hourly filter trusts), and webhooks are not guaranteed. What it
// corrects is counted per run and shown per shop.

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

const helpers = fakeHelpers();

describe("the daily inventory reconciliation", () => {
  it("brings an order's change that no webhook delivered and the hourly filter missed, and counts the correction", async () => {
    const { shop, client, locationId } = await emulatedShop(emulator, {
      domain: "reconcile.myshopify.com",
      products: 30,
    });
    await syncInventory({ shop, client, now: clock.now });
    expect(await localQuantities(shop)).toEqual(shopifyQuantities(emulator, shop, locationId, 30));

    // Webhooks are lost; the order does not move the level's updatedAt.
    emulator.control.setWebhookMode({ shop, mode: "drop" });
    const [product] = emulator.control.listProducts({ shop, limit: 1 });
    const variant = product.variants[0];
    const before = variant.inventory.find((l) => l.locationId === `gid://shopify/Location/${locationId}`)!.available;
    clock.advance(10 * MINUTE);
    emulator.control.placeOrder({ shop, lines: [{ variantId: variant.id, quantity: 1 }], notify: true });
    await emulator.control.waitForWebhooks();
    const dropped = emulator.control.webhookDeliveries({ shop });
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((d) => d.dropped)).toBe(true);

    clock.advance(50 * MINUTE);
    const hourly = await syncInventory({ shop, client, now: clock.now });
    expect(hourly).toMatchObject({ mode: "incremental", changed: 0 });
    expect((await localQuantities(shop)).get(String(variant.legacyResourceId))).toBe(before);

    const reconcile = createInventorySyncTask({ clientFor: async () => client }, { reconcile: true });
    await reconcile({ shop }, helpers);

    expect(await localQuantities(shop)).toEqual(shopifyQuantities(emulator, shop, locationId, 30));
    expect((await localQuantities(shop)).get(String(variant.legacyResourceId))).toBe(before - 1);
    const event = await prisma.syncEvent.findFirstOrThrow({
      where: { shop, eventType: "INVENTORY_SYNC" },
      orderBy: { id: "desc" },
    });
    expect(event.metadata).toMatchObject({ mode: "reconcile", corrected: 1, levels: 60 });
    expect(await lastReconciliation(shop)).toMatchObject({ corrected: 1, levels: 60 });

    // Nothing missed since: the next reconciliation corrects nothing.
    clock.advance(24 * 60 * MINUTE);
    await reconcile({ shop }, helpers);
    expect(await lastReconciliation(shop)).toMatchObject({ corrected: 0 });

    // Per shop, over a range: what the staff dashboard and the merchant's admin page show.
    const everything = { from: new Date(0), to: new Date(Date.now() + 60 * MINUTE) };
    expect(await reconciliationCorrections({ ...everything, shop })).toEqual([
      { shop, runs: 2, corrected: 1, levels: 120, lastAt: expect.any(Date), lastCorrected: 0 },
    ]);
    const monitor = await loadSyncMonitor(new URLSearchParams({ shop }));
    expect(monitor.reconciliation).toMatchObject([{ shop, runs: 2, corrected: 1 }]);
    expect((await loadMerchantAdminDetail(shop))!.reconciliationCorrections).toMatchObject([
      { shop, runs: 2, corrected: 1, lastCorrected: 0 },
    ]);
    // The hourly runs (mode incremental or full) are not reconciliations.
    expect(await reconciliationCorrections({ ...everything, shop: "nobody.myshopify.com" })).toEqual([]);
  });

  it("repairs a missed inventory_levels/disconnect: the item is no longer stocked at the marketplace's location", async () => {
    const { shop, client, locationId } = await emulatedShop(emulator, {
      domain: "reconcile-disconnect.myshopify.com",
      products: 3,
    });
    await syncInventory({ shop, client, now: clock.now });
    const [product] = emulator.control.listProducts({ shop, limit: 1 });
    const variant = product.variants[1];
    emulator.control.setWebhookMode({ shop, mode: "drop" });
    emulator.control.disconnectInventory({ shop, variantId: variant.id, locationId, notify: true });
    clock.advance(MINUTE);

    const result = await syncInventory({ shop, client, now: clock.now, reconcile: true });

    expect(result).toMatchObject({ mode: "reconcile", removed: 1, changed: 1 });
    expect((await localQuantities(shop)).get(String(variant.legacyResourceId))).toBe(0);
  });
});
