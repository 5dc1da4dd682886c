import { describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { listSchedules } from "../../app/worker/list-schedules.server";
import { cronInWords, durationInWords } from "../../app/jobs/schedule-words";

// The jobs page's schedules: read from the one crontab, in words, with last (graphile-worker's record) and next
// fire times computed from an injected clock.

describe("schedules in words", () => {
  it("describes the shapes the crontab uses, and shows anything else as the expression", () => {
    expect(cronInWords("0 3 * * *")).toBe("daily at 03:00 UTC");
    expect(cronInWords("30 4 * * *")).toBe("daily at 04:30 UTC");
    expect(cronInWords("0 2 * * 0")).toBe("Sundays at 02:00 UTC");
    expect(cronInWords("0 * * * *")).toBe("hourly, on the hour");
    expect(cronInWords("15 * * * *")).toBe("hourly at :15");
    expect(cronInWords("*/15 * * * *")).toBe("every 15 minutes");
    expect(cronInWords("0 3 1 * *")).toBe('cron "0 3 1 * *" (UTC)');
    expect(cronInWords("0 3 * * 1-5")).toBe('cron "0 3 * * 1-5" (UTC)');
    expect(durationInWords(12 * 3_600_000)).toBe("12 hours");
    expect(durationInWords(3_600_000)).toBe("1 hour");
    expect(durationInWords(0)).toBe("none");
  });

  it("lists every schedule with its words, backfill window, last fire time and next fire time", async () => {
    // Saturday 2026-11-28 03:10 UTC; graphile-worker last fired the daily product sync at 03:00 that day.
    const now = new Date("2026-11-28T03:10:00Z");
    await pgPool().query(
      `INSERT INTO graphile_worker._private_known_crontabs (identifier, known_since, last_execution)
       VALUES ('product-sync-fan-out', $1, $2)`,
      [new Date("2026-11-01T00:00:00Z"), new Date("2026-11-28T03:00:00Z")],
    );
    const schedules = await listSchedules(now);
    const byId = Object.fromEntries(schedules.map((s) => [s.identifier, s]));
    expect(byId["product-sync-fan-out"]).toEqual({
      identifier: "product-sync-fan-out",
      task: "schedule-product-syncs",
      cron: "0 3 * * *",
      words: "daily at 03:00 UTC",
      backfill: "12 hours",
      lastFiredAt: new Date("2026-11-28T03:00:00Z"),
      nextFireAt: new Date("2026-11-29T03:00:00Z"),
    });
    expect(byId["integrity-check-fan-out"]).toMatchObject({
      words: "Sundays at 02:00 UTC",
      backfill: "48 hours",
      lastFiredAt: null,
      nextFireAt: new Date("2026-11-29T02:00:00Z"),
    });
    expect(byId["inventory-sync-fan-out"]).toMatchObject({
      words: "hourly, on the hour",
      nextFireAt: new Date("2026-11-28T04:00:00Z"),
    });
    expect(byId["alerts-staleness-watch"]).toMatchObject({
      words: "every 15 minutes",
      backfill: "none",
      nextFireAt: new Date("2026-11-28T03:15:00Z"),
    });
    // Every line is described in words (no raw expression) and fires again within a week.
    for (const schedule of schedules) {
      expect(schedule.words).not.toMatch(/^cron/);
      expect(schedule.nextFireAt!.getTime()).toBeGreaterThan(now.getTime());
    }
  });
});
