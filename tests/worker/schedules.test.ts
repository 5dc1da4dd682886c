import { readFileSync } from "node:fs";
import { parseCronItems, type ParsedCronItem } from "graphile-worker";
import { describe, expect, it } from "vitest";
import { SHOPIFY_API_VERSION } from "../../app/shopify-admin/api-version";
import { SCHEDULES, compressCronMatch, crontab } from "../../app/worker/schedules.server";
import { resetEnvCache } from "../../app/env.server";
import { TASK } from "../../app/jobs/task-names";

// graphile-worker evaluates each cron item against a UTC "digest" of the minute; we ask the parsed items the
// same question for every minute of a week and see exactly when each fires.

const items = parseCronItems(SCHEDULES);

function firingsDuringWeek(item: ParsedCronItem, weekStart: Date): string[] {
  const fired: string[] = [];
  for (let minute = 0; minute < 7 * 24 * 60; minute++) {
    const t = new Date(weekStart.getTime() + minute * 60_000);
    const digest = {
      min: t.getUTCMinutes(),
      hour: t.getUTCHours(),
      date: t.getUTCDate(),
      month: t.getUTCMonth() + 1,
      dow: t.getUTCDay(),
    };
    if (item.match(digest)) fired.push(t.toISOString());
  }
  return fired;
}

function item(identifier: string) {
  const found = items.find((i) => i.identifier === identifier);
  if (!found) throw new Error(`no cron item ${identifier}`);
  return found;
}

// Monday 2026-11-23 00:00 UTC to Sunday 2026-11-29 23:59 UTC.
const WEEK = new Date("2026-11-23T00:00:00Z");

describe("the crontab", () => {
  it("fires the product-sync fan-out daily at 03:00 UTC", () => {
    const fired = firingsDuringWeek(item("product-sync-fan-out"), WEEK);
    expect(fired).toHaveLength(7);
    expect(fired.every((iso) => iso.endsWith("T03:00:00.000Z"))).toBe(true);
    expect(item("product-sync-fan-out").task).toBe(TASK.scheduleProductSyncs);
  });

  it("fires the inventory-sync fan-out every hour on the hour", () => {
    const fired = firingsDuringWeek(item("inventory-sync-fan-out"), WEEK);
    expect(fired).toHaveLength(7 * 24);
    expect(fired.every((iso) => iso.slice(14, 19) === "00:00")).toBe(true);
  });

  it("fires the inventory reconciliation fan-out daily at 01:30 UTC, queuing inventory-reconcile jobs", () => {
    const fired = firingsDuringWeek(item("inventory-reconciliation-fan-out"), WEEK);
    expect(fired).toHaveLength(7);
    expect(fired.every((iso) => iso.endsWith("T01:30:00.000Z"))).toBe(true);
    expect(item("inventory-reconciliation-fan-out").task).toBe(TASK.scheduleInventoryReconciliations);
  });

  it("fires the integrity-check fan-out on Sundays at 02:00 UTC only (not midnight, as the plan's cron did)", () => {
    expect(firingsDuringWeek(item("integrity-check-fan-out"), WEEK)).toEqual(["2026-11-29T02:00:00.000Z"]);
  });

  it("backfills the sync schedules, so a run missed during a restart still happens", () => {
    for (const id of [
      "product-sync-fan-out",
      "inventory-sync-fan-out",
      "inventory-reconciliation-fan-out",
      "integrity-check-fan-out",
    ]) {
      expect(item(id).options.backfillPeriod).toBeGreaterThanOrEqual(60 * 60 * 1000);
    }
  });

  it("prunes webhook delivery receipts daily", () => {
    const fired = firingsDuringWeek(item("webhooks-prune-deliveries"), WEEK);
    expect(fired).toHaveLength(7);
    expect(item("webhooks-prune-deliveries").task).toBe(TASK.webhooksPruneDeliveries);
  });

  it("has stable, unique identifiers", () => {
    expect(new Set(items.map((i) => i.identifier)).size).toBe(items.length);
    expect(items.map((i) => i.identifier)).toEqual(SCHEDULES.map((s) => s.identifier));
  });
});

// SCHEDULE_TIME_SCALE (the soak's compressed time): every line fires `scale` times as often, never below a minute.
describe("the crontab with time compressed", () => {
  const firings = (lines: ReturnType<typeof crontab>, identifier: string) =>
    firingsDuringWeek(
      parseCronItems(lines).find((i) => i.identifier === identifier)!,
      WEEK,
    );

  it("is the crontab itself at scale 1, which is the default", () => {
    delete process.env.SCHEDULE_TIME_SCALE;
    resetEnvCache();
    expect(crontab()).toEqual(SCHEDULES);
    expect(crontab(1)).toEqual(SCHEDULES);
  });

  it("at scale 60 fires hourly lines every minute, daily ones every 24 minutes, weekly ones every 3 hours", () => {
    const lines = crontab(60);
    expect(firings(lines, "inventory-sync-fan-out")).toHaveLength(7 * 24 * 60);
    // */24 fires at :00, :24 and :48: three times an hour, the last period of each hour cut to 12 minutes.
    expect(firings(lines, "product-sync-fan-out")).toHaveLength(7 * 24 * 3);
    expect(firings(lines, "inventory-reconciliation-fan-out").slice(0, 3)).toEqual([
      "2026-11-23T00:00:00.000Z",
      "2026-11-23T00:24:00.000Z",
      "2026-11-23T00:48:00.000Z",
    ]);
    expect(firings(lines, "integrity-check-fan-out")).toHaveLength(7 * 8);
    // Lines already finer than the scale fire every minute, not never.
    expect(lines.find((l) => l.identifier === "alerts-staleness-watch")!.match).toBe("* * * * *");
  });

  it("shrinks backfill periods by the scale and keeps identifiers, tasks and attempts", () => {
    const lines = crontab(60);
    expect(lines.map((l) => [l.identifier, l.task, l.options.maxAttempts])).toEqual(
      SCHEDULES.map((l) => [l.identifier, l.task, l.options.maxAttempts]),
    );
    const hourly = lines.find((l) => l.identifier === "inventory-sync-fan-out")!;
    expect(hourly.options.backfillPeriod).toBe(60 * 1000);
  });

  it("is read from SCHEDULE_TIME_SCALE, validated", () => {
    process.env.SCHEDULE_TIME_SCALE = "60";
    resetEnvCache();
    try {
      expect(crontab().find((l) => l.identifier === "inventory-sync-fan-out")!.match).toBe("* * * * *");
      process.env.SCHEDULE_TIME_SCALE = "0";
      resetEnvCache();
      expect(() => crontab()).toThrow(/SCHEDULE_TIME_SCALE/);
    } finally {
      delete process.env.SCHEDULE_TIME_SCALE;
      resetEnvCache();
    }
  });

  it("refuses a line it cannot compress rather than compressing it wrongly", () => {
    expect(() => compressCronMatch("0 3 1 * *", 60)).toThrow(/Cannot compress/);
    expect(compressCronMatch("0 3 * * *", 1)).toBe("0 3 * * *");
  });
});

describe("the API version", () => {
  it("is the same in shopify.app.toml as in the app", () => {
    const toml = readFileSync("shopify.app.toml", "utf8");
    expect(toml).toMatch(new RegExp(`api_version = "${SHOPIFY_API_VERSION}"`));
  });
});
