import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncInventory } from "../../app/inventory/sync-inventory.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { graphqlDocument } from "../../app/shopify-admin/graphql-document";
import { INVENTORY_LEVELS_QUERY } from "../../app/shopify-admin/operations";
import { CostAwarePageSize, MAX_PAGE_SIZE, requestSizedPage } from "../../app/shopify-admin/page-size";
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

const DEAR_LEVELS_QUERY = graphqlDocument<
  { location: { inventoryLevels: { nodes: Array<{ id: string }> } } | null },
  { locationId: string; first: number }
>(/* GraphQL */ `
  query DearLevels($locationId: ID!, $first: Int!) {
    location(id: $locationId) {
      id
      inventoryLevels(first: $first) {
        nodes {
          id
          quantities(names: ["available"]) {
            name
            quantity
          }
          item {
            id
            variants(first: 1) {
              nodes {
                id
                product {
                  id
                }
              }
            }
          }
        }
      }
    }
  }
`);

const clock = adjustableClock();
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startClockedEmulator(clock);
});
afterAll(async () => {
  await emulator?.stop();
  await releaseWorkerUtils();
});

describe("the points a full inventory read spends", () => {
  it("is 3 a level (the level, its quantities, its item) plus 3 a page, by Shopify's reckoning", async () => {
    const { shop, client } = await emulatedShop(emulator, { domain: "points.myshopify.com", products: 160 });
    emulator.control.resetStats({ shop });

    const result = await syncInventory({ shop, client, now: clock.now });

    expect(result).toMatchObject({ mode: "full", levels: 320, unknown: 0, pagesShrunk: 0 });
    // The location and the connection's 2 once a page; nothing of the item's variant or product (the product sync
    // knows them): 7 a level with them, a STANDARD shop's first full read more than twice as long.
    const spent = emulator.control.getShop({ shop }).stats.pointsSpent;
    expect(spent).toBe(3 * 320 + 3 * result.pages);
    expect(client.stats.pointsSpent).toBe(spent);
  });
});

describe("inventory pages sized by Shopify's reported cost", () => {
  it("never needs to shrink: Shopify's largest page of levels stays under 1,000 points", async () => {
    const { shop, client, locationId } = await emulatedShop(emulator, {
      domain: "largest-page.myshopify.com",
      products: 160,
    });

    const result = await syncInventory({ shop, client, now: clock.now, pageSize: MAX_PAGE_SIZE });

    expect(result).toMatchObject({ levels: 320, pagesShrunk: 0 });
    expect(await localQuantities(shop)).toEqual(shopifyQuantities(emulator, shop, locationId, 160));
    await client.request(INVENTORY_LEVELS_QUERY, { locationId: `gid://shopify/Location/${locationId}`, first: 250 });
    expect(client.lastRequestedCost()).toBe(3 + MAX_PAGE_SIZE * 3);
  });

  it("a page Shopify prices above 1,000 points shrinks and is asked again instead of failing", async () => {
    const { client, locationId } = await emulatedShop(emulator, { domain: "too-dear.myshopify.com", products: 160 });
    const pageSize = new CostAwarePageSize(MAX_PAGE_SIZE);

    // A dearer query (the levels query before the variant was dropped from it: 7 points a level): 250 cost 1,753.
    const { data, first, shrunk } = await requestSizedPage(
      pageSize,
      (size) => client.request(DEAR_LEVELS_QUERY, { locationId: `gid://shopify/Location/${locationId}`, first: size }),
      () => client.lastRequestedCost(),
    );

    expect(shrunk).toBe(1);
    expect(first).toBeLessThan(MAX_PAGE_SIZE);
    expect(3 + first * 7).toBeLessThanOrEqual(1_000);
    expect(data.location!.inventoryLevels.nodes).toHaveLength(first);
  });

  it("grows a page size guessed too small to what the reported cost allows", async () => {
    const { shop, client } = await emulatedShop(emulator, { domain: "too-cheap.myshopify.com", products: 160 });

    const result = await syncInventory({ shop, client, now: clock.now, pageSize: 10 });

    expect(result.levels).toBe(320);
    // 10 levels, then pages as large as 1,000 points and Shopify's 250 allow: 3 pages, not 32.
    expect(result.pages).toBeLessThanOrEqual(3);
    expect(result.pagesShrunk).toBe(0);
  });
});
