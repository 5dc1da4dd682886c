import { beforeEach, describe, expect, it } from "vitest";
import { recordSyncEvent } from "../../app/analytics/record-sync-event.server";
import { pruneSyncEvents } from "../../app/analytics/retention.server";
import { pgPool } from "../../app/db.server";
import { getSyncMonitorStats } from "../../app/monitoring/sync-monitor-stats.server";
import { EVENT_STATUSES, EVENT_TYPES, parseSyncMonitorQuery } from "../../app/monitoring/sync-monitor-query";

// The sync_event_daily rollup (migration 20261128120000) against its definition: after any mix of inserts, deletes,
// updates and truncates, it must equal the events grouped afresh; and the sync monitor's statistics read from it must
// equal the same statistics aggregated from the events themselves, exact p95 included.

const NOW = new Date("2026-11-20T12:00:00Z");
const SHOP = "rollup.myshopify.com";
const db = () => pgPool();

interface Cell {
  day: string;
  event_type: string;
  status: string;
  duration_bucket: number;
  event_count: number;
  duration_sum_ms: string;
}

const CELL_COLUMNS = `to_char(day, 'YYYY-MM-DD') AS day, event_type::text, status::text, duration_bucket, event_count, duration_sum_ms::text`;

async function rollup(): Promise<Cell[]> {
  const { rows } = await db().query<Cell>(`SELECT ${CELL_COLUMNS} FROM sync_event_daily ORDER BY 1, 2, 3, 4`);
  return rows;
}

/** The definition: the events grouped now. */
async function regrouped(): Promise<Cell[]> {
  const { rows } = await db().query<Cell>(
    `SELECT ${CELL_COLUMNS} FROM (
       SELECT (created_at AT TIME ZONE 'UTC')::date AS day, event_type, status,
              sync_duration_bucket(processing_time_ms) AS duration_bucket,
              count(*)::int AS event_count, coalesce(sum(processing_time_ms), 0) AS duration_sum_ms
         FROM sync_event GROUP BY 1, 2, 3, 4) AS g
      ORDER BY 1, 2, 3, 4`,
  );
  return rows;
}

/** Events spread over ten days, every type and status, some without a duration, ties, and a few long ones. */
async function seedEvents(count: number, seed: number) {
  await db().query(
    `INSERT INTO sync_event (shop, event_type, status, item_count, processing_time_ms, created_at)
     SELECT $1, (enum_range(NULL::"SyncEventType"))[1 + (g * 7 + $3) % 5],
            (enum_range(NULL::"SyncEventStatus"))[1 + (g * 13 + $3) % 3],
            g % 50,
            CASE WHEN (g + $3) % 9 = 0 THEN NULL WHEN g % 4 = 0 THEN 1000 ELSE (hashint4(g + $3) & 262143) END,
            $2::timestamptz - make_interval(mins => (g * 37 + $3) % 14400)
       FROM generate_series(1, $4) AS g`,
    [SHOP, NOW, seed, count],
  );
}

beforeEach(async () => {
  await db().query("TRUNCATE sync_event");
});

describe("sync_duration_bucket", () => {
  it("puts every duration from 1 ms to 100 s, and each power of two up to 2^30 ms and its neighbours, in the bucket [2^(b/8), 2^((b+1)/8)), in order", async () => {
    const { rows } = await db().query<{ misplaced: number; unordered: number }>(
      `SELECT count(*) FILTER (WHERE NOT (2 ^ (b / 8.0) <= ms * 1.000000001 AND ms < 2 ^ ((b + 1) / 8.0) * 1.000000001))::int AS misplaced,
              count(*) FILTER (WHERE b < lag_b)::int AS unordered
         FROM (SELECT ms, sync_duration_bucket(ms) AS b, lag(sync_duration_bucket(ms)) OVER (ORDER BY ms) AS lag_b
                 FROM (SELECT generate_series(1, 100000) AS ms
                       UNION SELECT (2 ^ k)::int + d FROM generate_series(17, 30) AS k, generate_series(-1, 1) AS d) AS durations) AS t`,
    );
    expect(rows[0]).toEqual({ misplaced: 0, unordered: 0 });
    const { rows: edges } = await db().query(
      `SELECT sync_duration_bucket(NULL) AS none, sync_duration_bucket(0) AS zero, sync_duration_bucket(1) AS one,
              sync_duration_bucket(2) AS two, sync_duration_bucket(2147483647) AS largest`,
    );
    expect(edges[0]).toEqual({ none: -1, zero: 0, one: 0, two: 8, largest: 247 });
  });
});

describe("the sync_event_daily rollup", () => {
  it("follows inserts of one event and of many at once", async () => {
    await seedEvents(3000, 1);
    await recordSyncEvent({
      shop: SHOP,
      eventType: "PRODUCT_SYNC",
      status: "SUCCESS",
      processingTimeMs: 4321,
      createdAt: NOW,
    });
    await recordSyncEvent({ shop: SHOP, eventType: "WEBHOOK", status: "FAILURE", createdAt: NOW });
    const cells = await rollup();
    expect(cells.length).toBeGreaterThan(100);
    expect(cells).toEqual(await regrouped());
    const total = cells.reduce((sum, cell) => sum + cell.event_count, 0);
    expect(total).toBe(3002);
  });

  it("follows concurrent writers without losing a count", async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        recordSyncEvent({
          shop: SHOP,
          eventType: "INVENTORY_SYNC",
          status: "SUCCESS",
          processingTimeMs: 100 + (i % 3),
          createdAt: NOW,
        }),
      ),
    );
    expect(await rollup()).toEqual(await regrouped());
    expect((await rollup()).reduce((sum, cell) => sum + cell.event_count, 0)).toBe(40);
  });

  it("follows deletes (the retention prune in batches), dropping cells that empty", async () => {
    await seedEvents(2000, 2);
    const result = await pruneSyncEvents({ now: NOW, retentionDays: 4, batchSize: 300 });
    expect(result.deleted).toBeGreaterThan(500);
    const cells = await rollup();
    expect(cells).toEqual(await regrouped());
    expect(cells.every((cell) => cell.event_count > 0)).toBe(true);
    expect(cells.every((cell) => cell.day >= "2026-11-16")).toBe(true);
  });

  it("follows updates that move events between days, statuses and buckets", async () => {
    await seedEvents(1500, 3);
    await db().query(
      `UPDATE sync_event SET status = 'FAILURE', processing_time_ms = processing_time_ms * 3, created_at = created_at - interval '1 day'
        WHERE id % 5 = 0`,
    );
    await db().query(`UPDATE sync_event SET processing_time_ms = NULL WHERE id % 7 = 0`);
    expect(await rollup()).toEqual(await regrouped());
  });

  it("empties on TRUNCATE, and sync_event_daily_rebuild() restores a rollup that was tampered with", async () => {
    await seedEvents(500, 4);
    await db().query("TRUNCATE sync_event");
    expect(await rollup()).toEqual([]);

    await seedEvents(800, 5);
    const correct = await regrouped();
    await db().query("UPDATE sync_event_daily SET event_count = event_count + 7 WHERE duration_bucket % 2 = 0");
    await db().query("DELETE FROM sync_event_daily WHERE duration_bucket = -1");
    expect(await rollup()).not.toEqual(correct);
    await db().query("SELECT sync_event_daily_rebuild()");
    expect(await rollup()).toEqual(correct);
  });
});

describe("the sync monitor's statistics from the rollup", () => {
  const ranges = [
    "", // the default 7 days
    "from=2026-11-10&to=2026-11-20",
    "from=2026-11-20&to=2026-11-20",
    "from=2026-11-15&to=2026-11-15",
    "from=2026-10-01&to=2026-10-31", // no events
  ];

  async function expectSameAsFromEvents(search: string) {
    const { query } = parseSyncMonitorQuery(new URLSearchParams(search), NOW);
    const fromRollup = await getSyncMonitorStats(query);
    const fromEvents = await getSyncMonitorStats(query, { source: "events" });
    const { averageProcessingTimeMs: rollupAverage, ...rollupRest } = fromRollup;
    const { averageProcessingTimeMs: eventsAverage, ...eventsRest } = fromEvents;
    expect(rollupRest, search).toEqual(eventsRest);
    if (eventsAverage === null) expect(rollupAverage, search).toBeNull();
    else expect(rollupAverage, search).toBeCloseTo(eventsAverage, 6);
    return fromRollup;
  }

  it("equal the events' own for every type, status and range, exact p95 included", async () => {
    await seedEvents(4000, 6);
    let compared = 0;
    for (const range of ranges) {
      for (const type of ["", ...EVENT_TYPES.map((t) => `type=${t}`)]) {
        for (const status of ["", ...EVENT_STATUSES.map((s) => `status=${s}`)]) {
          await expectSameAsFromEvents([range, type, status].filter(Boolean).join("&"));
          compared += 1;
        }
      }
    }
    expect(compared).toBe(5 * (1 + EVENT_TYPES.length) * 4);
    const all = await expectSameAsFromEvents("from=2026-11-10&to=2026-11-20");
    expect(all.total).toBe(4000);
    expect(all.p95ProcessingTimeMs).toBeGreaterThan(1000);
  });

  it("equal them on the small cases: no event, one, two, no durations, all alike, a rank across buckets", async () => {
    const cases: Array<Array<number | null>> = [
      [],
      [250],
      [250, 40_000],
      [null, null],
      [1000, 1000, 1000],
      [0, 1, 2, 3],
      [99, 100, 5000, 5001],
    ];
    for (const durations of cases) {
      await db().query("TRUNCATE sync_event");
      for (const ms of durations) {
        await recordSyncEvent({
          shop: SHOP,
          eventType: "WEBHOOK",
          status: "SUCCESS",
          processingTimeMs: ms,
          createdAt: NOW,
        });
      }
      const stats = await expectSameAsFromEvents("");
      expect(stats.total, JSON.stringify(durations)).toBe(durations.length);
    }
  });
});
