import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncInventory } from "../../app/inventory/sync-inventory.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import type { RunningEmulator } from "../../emulator";
import {
  adjustableClock,
  emulatedShop,
  localQuantities,
  shopifyQuantities,
  startClockedEmulator,
} from "./emulated-shop";

// A single query may cost at most 1,000 points: above that Shopify answers MAX_COST_EXCEEDED and runs nothing. The
// sync takes its page sizes from the cost Shopify reports, and a page refused as too dear is asked again smaller.

const clock = adjustableClock();
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startClockedEmulator(clock);
});
afterAll(async () => {
  await emulator?.stop();
  await releaseWorkerUtils();
});

describe("inventory pages sized by Shopify's reported cost", () => {
  it("a page Shopify prices above 1,000 points shrinks and is asked again instead of failing the run", async () => {
    const { shop, client, locationId } = await emulatedShop(emulator, {
      domain: "too-dear.myshopify.com",
      products: 160,
    });

    // 250 levels of this query cost far more than 1,000 points.
    const result = await syncInventory({ shop, client, now: clock.now, pageSize: 250 });

    expect(result.pagesShrunk).toBeGreaterThanOrEqual(1);
    expect(result.levels).toBe(320);
    expect(await localQuantities(shop)).toEqual(shopifyQuantities(emulator, shop, locationId, 160));
  });

  it("grows a page size guessed too small to what the reported cost allows", async () => {
    const { shop, client } = await emulatedShop(emulator, { domain: "too-cheap.myshopify.com", products: 160 });

    const result = await syncInventory({ shop, client, now: clock.now, pageSize: 10 });

    expect(result.levels).toBe(320);
    // 10 levels, then pages as large as 1,000 points allow (about 140 levels): 4 pages, not 32.
    expect(result.pages).toBeLessThanOrEqual(5);
    expect(result.pagesShrunk).toBe(0);
  });
});
