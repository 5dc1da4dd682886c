import { SyncEventType } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { SCHEDULES } from "../../app/worker/schedules.server";
import { SYNC_KIND_LIST } from "../../app/jobs/sync-kinds";
import { TASKS } from "../../app/worker/task-list.server";
import { MERCHANT_ADMIN_INTENTS } from "../../app/merchants/merchant-admin-request.server";
import { EVENT_TYPES, parseSyncMonitorQuery } from "../../app/monitoring/sync-monitor-query";

// A sync kind is one row; these hold the places derived from it to the row (the compiler checks their shapes).

describe("the sync kinds", () => {
  it.each(SYNC_KIND_LIST.map((kind) => [kind.task, kind] as const))(
    "%s: its fan-out is in the crontab with the row's cron line",
    (_task, kind) => {
      const line = SCHEDULES.find((s) => s.identifier === kind.schedule.identifier);
      expect(line).toEqual({
        identifier: kind.schedule.identifier,
        task: kind.fanOutTask,
        match: kind.schedule.match,
        options: { backfillPeriod: kind.schedule.backfillPeriod, maxAttempts: 1 },
      });
      expect(TASKS[kind.task].definition.name).toBe(kind.task);
    },
  );

  it("offers each kind's event type, and every other one, as a filter of the sync monitor", () => {
    for (const kind of SYNC_KIND_LIST) {
      expect(EVENT_TYPES).toContain(kind.eventType);
      const { query, ignored } = parseSyncMonitorQuery(new URLSearchParams({ type: kind.eventType }));
      expect({ type: query.eventType, ignored }).toEqual({ type: kind.eventType, ignored: [] });
    }
    expect([...EVENT_TYPES].sort()).toEqual(Object.values(SyncEventType).sort());
  });

  it("offers each kind's admin intent as a run-now request", () => {
    for (const kind of SYNC_KIND_LIST) if (kind.adminIntent) expect(MERCHANT_ADMIN_INTENTS).toContain(kind.adminIntent);
  });

  it("derives the crontab from the task definitions: one line per scheduled task, identifiers unique", () => {
    const scheduled = Object.values(TASKS).filter((task) => task.definition.schedule);
    expect(SCHEDULES.map((s) => s.task)).toEqual(scheduled.map((task) => task.definition.name));
    expect(new Set(SCHEDULES.map((s) => s.identifier)).size).toBe(SCHEDULES.length);
  });
});
