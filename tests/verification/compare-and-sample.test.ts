import { describe, expect, it } from "vitest";
import type { VerifiedVariantNode } from "../../app/shopify-admin/operations";
import { VerificationBudget } from "../../app/verification/budget";
import {
  compareVariant,
  sameAmount,
  setAsideInFlight,
  type MarketplaceVariant,
} from "../../app/verification/compare-variant";
import { RUNS_PER_WEEK, sampleSizeFor } from "../../app/verification/sample.server";

// The pure rules of verification: what counts as a difference, how large a run's sample is, what a run may spend.

const ours: MarketplaceVariant = {
  variantId: 11n,
  productId: 1n,
  title: "Small",
  price: "10.00",
  compareAtPrice: null,
  productTitle: "Shirt",
  productStatus: "ACTIVE",
  inventoryItemId: 21n,
  availableQuantity: 5,
  inventoryTracked: true,
  inventoryPolicy: "DENY",
  writtenAt: null,
  levelsObservedAt: null,
};

function node(
  overrides: {
    tracked?: boolean;
    policy?: "DENY" | "CONTINUE";
    levels?: Array<[number, number]>;
    more?: boolean;
    price?: string;
    variantUpdatedAt?: string;
    levelUpdatedAt?: string;
  } = {},
): VerifiedVariantNode {
  return {
    id: "gid://shopify/ProductVariant/11",
    title: "Small",
    price: overrides.price ?? "10.0",
    compareAtPrice: null,
    inventoryPolicy: overrides.policy ?? "DENY",
    updatedAt: overrides.variantUpdatedAt ?? "2026-01-01T00:00:00Z",
    product: { id: "gid://shopify/Product/1", title: "Shirt", status: "ACTIVE", updatedAt: "2026-01-01T00:00:00Z" },
    inventoryItem: {
      id: "gid://shopify/InventoryItem/21",
      tracked: overrides.tracked ?? true,
      inventoryLevels: {
        pageInfo: { hasNextPage: overrides.more ?? false },
        nodes: (overrides.levels ?? [[1, 5]]).map(([location, available]) => ({
          updatedAt: overrides.levelUpdatedAt ?? "2026-01-01T00:00:00Z",
          location: { id: `gid://shopify/Location/${location}` },
          quantities: [{ name: "available", quantity: available }],
        })),
      },
    },
  };
}

describe("comparing a variant with Shopify's", () => {
  it("compares amounts as decimals, not as text or floats", () => {
    expect(sameAmount("10.00", "10.0")).toBe(true);
    expect(sameAmount("010.50", "10.5")).toBe(true);
    expect(sameAmount("10.01", "10.1")).toBe(false);
    expect(sameAmount(null, "")).toBe(true);
    expect(compareVariant(ours, node(), [1n]).mismatches).toEqual([]);
    expect(compareVariant(ours, node({ price: "10.5" }), [1n]).mismatches).toEqual([
      { field: "price", marketplace: "10.00", shopify: "10.5" },
    ]);
  });

  it("sums the quantity over the marketplace's locations only, an unstocked one counting nothing", () => {
    expect(
      compareVariant(
        ours,
        node({
          levels: [
            [1, 2],
            [2, 3],
            [3, 100],
          ],
        }),
        [1n, 2n],
      ).mismatches,
    ).toEqual([]);
    expect(compareVariant(ours, node({ levels: [[3, 5]] }), [1n]).mismatches).toEqual([
      { field: "sellableQuantity", marketplace: 5, shopify: 0 },
    ]);
    expect(compareVariant({ ...ours, availableQuantity: null }, node({ levels: [] }), [1n]).mismatches).toEqual([]);
  });

  it("leaves the quantity unverified when the item's levels page did not reach a marketplace location", () => {
    const result = compareVariant(ours, node({ levels: [[3, 1]], more: true }), [1n]);
    expect(result).toEqual({ mismatches: [], quantityUnverified: true });
  });

  it("compares only 'not limited' for untracked and continue-selling variants, as the app sells them", () => {
    expect(
      compareVariant(
        { ...ours, inventoryTracked: false, availableQuantity: 0 },
        node({ tracked: false, levels: [[1, 40]] }),
        [1n],
      ).mismatches,
    ).toEqual([]);
    expect(
      compareVariant(
        { ...ours, inventoryPolicy: "CONTINUE", availableQuantity: -3 },
        node({ policy: "CONTINUE", levels: [[1, 9]] }),
        [1n],
      ).mismatches,
    ).toEqual([]);
    // Shopify stopped tracking it; the marketplace still limits it to its quantity.
    expect(compareVariant(ours, node({ tracked: false }), [1n]).mismatches).toEqual([
      { field: "sellableQuantity", marketplace: 5, shopify: "not limited" },
    ]);
  });

  it("calls a variant Shopify answers null for deleted", () => {
    expect(compareVariant(ours, null, [1n]).mismatches).toEqual([
      { field: "deleted", marketplace: false, shopify: true },
    ]);
  });
});

describe("a difference that may be a change in flight", () => {
  // The read asked Shopify at 12:00:00 and had its answer at 12:00:02; the grace period is 5 minutes.
  const window = {
    askedAt: new Date("2026-03-01T12:00:00Z"),
    readAt: new Date("2026-03-01T12:00:02Z"),
    graceMs: 5 * 60_000,
  };
  const split = (row: Partial<MarketplaceVariant>, answer: VerifiedVariantNode | null) => {
    const variant = { ...ours, ...row };
    const { mismatches } = compareVariant(variant, answer, [1n]);
    const { counted, inFlight } = setAsideInFlight(variant, answer, mismatches, [1n], window);
    return { counted: counted.map((m) => m.field), inFlight: inFlight.map((m) => m.field) };
  };

  it("sets aside a field Shopify changed within the grace period, and counts one changed before it", () => {
    expect(split({}, node({ price: "12.00", variantUpdatedAt: "2026-03-01T11:56:00Z" }))).toEqual({
      counted: [],
      inFlight: ["price"],
    });
    expect(split({}, node({ price: "12.00", variantUpdatedAt: "2026-03-01T11:54:00Z" }))).toEqual({
      counted: ["price"],
      inFlight: [],
    });
    // The quantity goes by its levels' time, the product fields by the variant's and product's.
    expect(split({}, node({ price: "12.00", levels: [[1, 4]], levelUpdatedAt: "2026-03-01T11:59:00Z" }))).toEqual({
      counted: ["price"],
      inFlight: ["sellableQuantity"],
    });
  });

  it("sets aside a field whose marketplace row was written after the read began, deletions included", () => {
    const old = { variantUpdatedAt: "2026-02-01T00:00:00Z", levelUpdatedAt: "2026-02-01T00:00:00Z" };
    const written = new Date("2026-03-01T12:00:01Z");
    expect(split({ writtenAt: written }, node({ ...old, price: "12.00" }))).toEqual({
      counted: [],
      inFlight: ["price"],
    });
    expect(split({ levelsObservedAt: written }, node({ ...old, levels: [[1, 4]] }))).toEqual({
      counted: [],
      inFlight: ["sellableQuantity"],
    });
    expect(split({ writtenAt: written }, null)).toEqual({ counted: [], inFlight: ["deleted"] });
    // Written before the read began: the row was what it is when Shopify answered.
    const before = new Date("2026-03-01T11:59:59Z");
    expect(split({ writtenAt: before, levelsObservedAt: before }, node({ ...old, price: "12.00" }))).toEqual({
      counted: ["price"],
      inFlight: [],
    });
    expect(split({ writtenAt: before }, null)).toEqual({ counted: ["deleted"], inFlight: [] });
  });
});

describe("the size of a run and what it may spend", () => {
  it("takes the configured sample, or more when that would not cover every listed variant twice a week", () => {
    expect(sampleSizeFor(100, 200)).toBe(200);
    expect(sampleSizeFor(100_000, 200)).toBe(Math.ceil((100_000 * 2) / RUNS_PER_WEEK));
    // At that size, a week of hourly runs verifies every variant at least once even with half the runs missed.
    expect(sampleSizeFor(100_000, 1) * (RUNS_PER_WEEK / 2)).toBeGreaterThanOrEqual(100_000);
  });

  it("allows a share of what the shop's bucket restores in an hour, once Shopify has said what that is", () => {
    const budget = new VerificationBudget(0.1);
    expect(budget.affordableUnits(35)).toBe(Infinity); // the first request, before any answer
    budget.spend(50);
    expect(budget.affordableUnits(35)).toBe(0); // no answer with a throttle status: nothing more
    budget.observe({ maximumAvailable: 2000, currentlyAvailable: 1900, restoreRate: 100 });
    expect(budget.points).toEqual({ spent: 50, allowance: 36_000 });
    expect(budget.affordableUnits(35)).toBe(Math.floor((36_000 - 50) / 35));
  });
});
