import { describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { applyInventoryLevels, removeLevelsAbsentFromRead } from "../../app/inventory/apply-inventory-levels.server";
import { createConnection } from "../support/merchants";

// A full read of a location removes the stored levels it did not return (a missed disconnect), unless Shopify may
// have changed them after the read began. Shopify's updated_at has whole seconds, so "after the read began" cannot
// be told apart within the read's first second: a level connected 400 ms after the read began (its webhook dated
// 12:00:05, the read 12:00:05.500) must be left for the next read, and a removal must be dated at Shopify's
// precision so that a level Shopify connects again in that second is not taken for an older one by every later read.

const SHOP = "absent-dating.myshopify.com";
const LOCATION = 7001n;
const at = (iso: string) => new Date(`2026-11-30T12:00:${iso}Z`);

async function level(item: bigint) {
  const { rows } = await pgPool().query<{ available: number | null }>(
    "SELECT available FROM inventory_level WHERE shop = $1 AND inventory_item_id = $2 AND location_id = $3",
    [SHOP, item, LOCATION],
  );
  return rows[0]?.available;
}

describe("a level absent from a full read", () => {
  it("is kept when Shopify changed it in the second the read began; a removal is dated to Shopify's second", async () => {
    await createConnection(SHOP, { defaultLocationId: Number(LOCATION) });
    // Connected at 12:00:05.900 (its webhook's updated_at 12:00:05), after a read that began at 12:00:05.500 had passed it.
    await applyInventoryLevels(pgPool(), SHOP, [
      { inventoryItemId: 1n, locationId: LOCATION, available: 5, updatedAt: at("05"), observedAt: at("05.900") },
      { inventoryItemId: 2n, locationId: LOCATION, available: 8, updatedAt: at("01"), observedAt: at("01.200") },
    ]);
    const removed = await removeLevelsAbsentFromRead(pgPool(), SHOP, LOCATION, [], at("05.500"));
    expect(removed).toEqual([2n]);
    expect(await level(1n)).toBe(5);
    expect(await level(2n)).toBeNull();

    // Item 2 is stocked there again within that second (12:00:05.800): the next read returns it, dated 12:00:05.
    await applyInventoryLevels(pgPool(), SHOP, [
      { inventoryItemId: 2n, locationId: LOCATION, available: 3, updatedAt: at("05"), observedAt: at("30") },
    ]);
    expect(await level(2n)).toBe(3);
  });
});
