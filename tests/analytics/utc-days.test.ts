import { describe, expect, it } from "vitest";
import { utcDaysOf } from "../../app/analytics/utc-days";

describe("utcDaysOf", () => {
  it("lists every UTC day the range touches", () => {
    expect(utcDaysOf(new Date("2026-11-01T22:00:00Z"), new Date("2026-11-03T00:00:00.001Z"))).toEqual([
      "2026-11-01",
      "2026-11-02",
      "2026-11-03",
    ]);
  });

  it("is empty for a range that ends before it starts", () => {
    expect(utcDaysOf(new Date("2026-11-03T00:00:00Z"), new Date("2026-11-01T00:00:00Z"))).toEqual([]);
  });
});
