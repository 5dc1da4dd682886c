import { beforeAll, describe, expect, it } from "vitest";
import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { getSyncStats, utcDaysOf } from "~/analytics/sync-stats.server";

// A fixture small enough to compute by hand. Range: [2026-11-01, 2026-11-04) UTC.
const FROM = new Date("2026-11-01T00:00:00Z");
const TO = new Date("2026-11-04T00:00:00Z");
const A = "a.myshopify.com";
const B = "b.myshopify.com";

beforeAll(async () => {
  const events = [
    [A, "PRODUCT_SYNC", "SUCCESS", 100, null, "2026-11-01T10:00:00Z"],
    [A, "INVENTORY_SYNC", "SUCCESS", 200, null, "2026-11-01T11:00:00Z"],
    [A, "INVENTORY_SYNC", "FAILURE", 300, "boom A", "2026-11-02T09:00:00Z"],
    [A, "PRODUCT_SYNC", "PARTIAL", null, null, "2026-11-02T23:59:59.999Z"],
    [A, "WEBHOOK", "SUCCESS", 400, null, "2026-11-03T00:00:00Z"],
    [B, "PRODUCT_SYNC", "FAILURE", 1000, "boom B", "2026-11-01T12:00:00Z"],
    [B, "INVENTORY_SYNC", "SUCCESS", 500, null, "2026-11-03T05:00:00Z"],
    // Outside the range: just before `from`, and exactly at `to` (the range is half-open).
    [A, "PRODUCT_SYNC", "SUCCESS", 9999, null, "2026-10-31T23:59:59.999Z"],
    [A, "PRODUCT_SYNC", "FAILURE", 9999, "outside", "2026-11-04T00:00:00Z"],
  ] as const;
  for (const [shop, eventType, status, processingTimeMs, errorMessage, at] of events) {
    await recordSyncEvent({ shop, eventType, status, processingTimeMs, errorMessage, createdAt: new Date(at) });
  }
});

const zero = { SUCCESS: 0, FAILURE: 0, PARTIAL: 0 };

describe("getSyncStats", () => {
  it("matches the hand-computed figures for one shop", async () => {
    const stats = await getSyncStats({ shop: A, from: FROM, to: TO });
    expect(stats.total).toBe(5);
    expect(stats.successRate).toBeCloseTo(3 / 5, 12);
    // Times 100, 200, 300, 400 (the PARTIAL reported none): mean 250; p50 = 250; p95 at 0.95 * 3 = 2.85 -> 385.
    expect(stats.processingTimeMs).toEqual({ measured: 4, average: 250, p50: 250, p95: 385 });
    expect(stats.byStatus).toEqual({ SUCCESS: 3, FAILURE: 1, PARTIAL: 1 });
    expect(stats.byType).toEqual({
      PRODUCT_SYNC: { total: 2, SUCCESS: 1, FAILURE: 0, PARTIAL: 1 },
      INVENTORY_SYNC: { total: 2, SUCCESS: 1, FAILURE: 1, PARTIAL: 0 },
      WEBHOOK: { total: 1, SUCCESS: 1, FAILURE: 0, PARTIAL: 0 },
      BULK_OPERATION: { total: 0, ...zero },
      DATA_INTEGRITY: { total: 0, ...zero },
    });
    expect(stats.daily).toEqual([
      { date: "2026-11-01", total: 2, SUCCESS: 2, FAILURE: 0, PARTIAL: 0, averageProcessingTimeMs: 150 },
      { date: "2026-11-02", total: 2, SUCCESS: 0, FAILURE: 1, PARTIAL: 1, averageProcessingTimeMs: 300 },
      { date: "2026-11-03", total: 1, SUCCESS: 1, FAILURE: 0, PARTIAL: 0, averageProcessingTimeMs: 400 },
    ]);
    expect(stats.recentFailures).toEqual([
      expect.objectContaining({ shop: A, eventType: "INVENTORY_SYNC", errorMessage: "boom A", createdAt: new Date("2026-11-02T09:00:00Z") }),
    ]);
  });

  it("matches the hand-computed figures for all shops", async () => {
    const stats = await getSyncStats({ from: FROM, to: TO });
    expect(stats.shop).toBeNull();
    expect(stats.total).toBe(7);
    expect(stats.successRate).toBeCloseTo(4 / 7, 12);
    // Times 100, 200, 300, 400, 500, 1000: mean 2500 / 6; p50 at 2.5 -> 350; p95 at 4.75 -> 500 + 0.75 * 500 = 875.
    expect(stats.processingTimeMs.measured).toBe(6);
    expect(stats.processingTimeMs.average).toBeCloseTo(2500 / 6, 9);
    expect(stats.processingTimeMs.p50).toBe(350);
    expect(stats.processingTimeMs.p95).toBe(875);
    expect(stats.byStatus).toEqual({ SUCCESS: 4, FAILURE: 2, PARTIAL: 1 });
    expect(stats.daily.map((d) => [d.date, d.total, d.SUCCESS, d.FAILURE, d.PARTIAL])).toEqual([
      ["2026-11-01", 3, 2, 1, 0],
      ["2026-11-02", 2, 0, 1, 1],
      ["2026-11-03", 2, 2, 0, 0],
    ]);
    expect(stats.daily[0].averageProcessingTimeMs).toBeCloseTo(1300 / 3, 9);
    expect(stats.daily[2].averageProcessingTimeMs).toBe(450);
    expect(stats.recentFailures.map((f) => f.errorMessage)).toEqual(["boom A", "boom B"]);
    expect((await getSyncStats({ from: FROM, to: TO, failuresLimit: 1 })).recentFailures).toHaveLength(1);
  });

  it("answers an empty range with zeros and nulls, and a chart point per day", async () => {
    const stats = await getSyncStats({ from: new Date("2026-12-01T00:00:00Z"), to: new Date("2026-12-03T00:00:00Z") });
    expect(stats).toMatchObject({
      total: 0,
      successRate: null,
      processingTimeMs: { measured: 0, average: null, p50: null, p95: null },
      byStatus: zero,
      recentFailures: [],
    });
    expect(Object.values(stats.byType).every((t) => t.total === 0)).toBe(true);
    expect(stats.daily).toEqual([
      { date: "2026-12-01", total: 0, ...zero, averageProcessingTimeMs: null },
      { date: "2026-12-02", total: 0, ...zero, averageProcessingTimeMs: null },
    ]);
    // A shop with no events, and a zero-length range.
    expect((await getSyncStats({ shop: "nobody.myshopify.com", from: FROM, to: TO })).total).toBe(0);
    const instant = await getSyncStats({ from: FROM, to: FROM });
    expect([instant.total, instant.successRate, instant.daily]).toEqual([0, null, []]);
  });

  it("refuses a range that ends before it starts", async () => {
    await expect(getSyncStats({ from: TO, to: FROM })).rejects.toThrow(RangeError);
  });

  it("lists every UTC day the range touches", () => {
    expect(utcDaysOf(new Date("2026-11-01T22:00:00Z"), new Date("2026-11-03T00:00:00.001Z"))).toEqual([
      "2026-11-01",
      "2026-11-02",
      "2026-11-03",
    ]);
  });
});
