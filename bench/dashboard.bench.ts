import { listSyncEvents, syncEventFilterSql } from "../app/monitoring/list-sync-events.server";
import { loadSyncMonitor } from "../app/monitoring/load-sync-monitor.server";
import { getSyncMonitorStats } from "../app/monitoring/sync-monitor-stats.server";
import { parseSyncMonitorQuery, type SyncMonitorQuery } from "../app/monitoring/sync-monitor-query";
import { envNumber, openDedicatedDatabase } from "./dedicated-database";
import { medianMs, round } from "./timing";

// The sync monitor (/admin/sync-monitor) over 1,000,000 events (200 shops, 90 days):
// - the page query (listSyncEvents) for a matrix of filters (shop x type x status x range x sort) on the first page
//   and deep pages (a keyset cursor half-way and near the end of the filtered rows);
// - the whole loader (page + filtered statistics + merchants) for the same filters over the default 7-day range,
//   and over 30, 90 and 366 days (the longest range the monitor accepts);
// against the plan's approach on the same data: the last 100 events filtered in JS (fast, but wrong: a filter shows
// only what is among the last 100), OFFSET pagination to the same deep pages, and the statistics of every shop
// aggregated from the events themselves (what the monitor did before the sync_event_daily rollup).
// Goal (issue 7): p95 under 150 ms for any filter combination.

export const name = "dashboard";
export const description =
  "sync monitor page query and loader over 1M events: filter matrix, deep keyset pages vs OFFSET / last-100-in-JS";

const NOW = new Date("2026-11-20T12:00:00Z");
const SHOP = "shop-0042.myshopify.com";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    max: round(sorted[sorted.length - 1]),
  };
}

export async function run(options: { log?: (line: string) => void; events?: number; runs?: number } = {}) {
  const log = options.log ?? (() => undefined);
  const eventCount = options.events ?? envNumber("DASHBOARD_BENCH_EVENTS", 1_000_000);
  const runs = options.runs ?? envNumber("DASHBOARD_BENCH_RUNS", 3);
  const database = await openDedicatedDatabase("dashboard", log);
  try {
    const { pool } = database;
    log(`generating ${eventCount.toLocaleString("en")} events over 200 shops and 90 days`);
    let started = performance.now();
    await pool.query(
      `INSERT INTO merchant_connection (shop, merchant_id, shop_name, approval_status, updated_at)
       SELECT 'shop-' || lpad(g::text, 4, '0') || '.myshopify.com', 'm-' || g, 'Shop ' || g, 'APPROVED', now()
         FROM generate_series(0, 199) g`,
    );
    await pool.query(
      `INSERT INTO sync_event (shop, event_type, status, item_count, processing_time_ms, error_message, created_at)
       SELECT 'shop-' || lpad((g % 200)::text, 4, '0') || '.myshopify.com',
              (ARRAY['INVENTORY_SYNC','INVENTORY_SYNC','INVENTORY_SYNC','WEBHOOK','WEBHOOK','PRODUCT_SYNC',
                     'BULK_OPERATION','DATA_INTEGRITY'])[1 + (hashint4(g) & 7)]::"SyncEventType",
              (CASE WHEN r < 0.88 THEN 'SUCCESS' WHEN r < 0.96 THEN 'FAILURE' ELSE 'PARTIAL' END)::"SyncEventStatus",
              (random() * 5000)::int,
              CASE WHEN random() < 0.97 THEN (50 + 120000 * random() ^ 4)::int END,
              CASE WHEN r >= 0.88 AND r < 0.96 THEN 'Simulated failure ' || (g % 17) END,
              at
         FROM (SELECT g, random() AS r, $2::timestamptz - random() * interval '90 days' AS at FROM generate_series(1, $1) AS g) s
        -- Written in time order, as events are recorded (their physical order follows created_at).
        ORDER BY at`,
      [eventCount, NOW],
    );
    await pool.query("VACUUM ANALYZE sync_event");
    await pool.query("ANALYZE merchant_connection");
    const generateSeconds = round((performance.now() - started) / 1000);

    const queryOf = (search: string): SyncMonitorQuery => parseSyncMonitorQuery(new URLSearchParams(search), NOW).query;
    const rangeSearch: Record<string, string> = {
      "7d": "",
      "30d": "from=2026-10-22&to=2026-11-20",
      "90d": "from=2026-08-23&to=2026-11-20",
      "366d": "from=2025-11-20&to=2026-11-20",
    };
    const filterSets: string[] = [];
    for (const shop of ["", `shop=${SHOP}`])
      for (const type of ["", "type=INVENTORY_SYNC", "type=DATA_INTEGRITY"])
        for (const status of ["", "status=FAILURE", "status=PARTIAL"])
          filterSets.push([shop, type, status].filter(Boolean).join("&"));

    // A cursor at a given position of the filtered order, as the URL of that deep page would carry it.
    async function cursorAt(query: SyncMonitorQuery, position: number): Promise<SyncMonitorQuery["cursor"]> {
      const key =
        query.sort === "created_at"
          ? "(extract(epoch from created_at) * 1000)::bigint"
          : query.sort === "processing_time"
            ? "coalesce(processing_time_ms, -1)"
            : "coalesce(item_count, -1)";
      const { conditions, params } = syncEventFilterSql(query);
      const order = query.direction === "desc" ? "DESC" : "ASC";
      const { rows } = await pool.query<{ value: string; id: string }>(
        `SELECT ${key} AS value, id::text FROM sync_event WHERE ${conditions.join(" AND ")}
          ORDER BY ${key.startsWith("(extract") ? "created_at" : key} ${order}, id ${order} OFFSET ${position} LIMIT 1`,
        params,
      );
      return rows[0] ? { side: "after", value: Number(rows[0].value), id: rows[0].id } : null;
    }

    const sorts = ["", "direction=asc", "sort=processing_time", "sort=item_count&direction=asc"];
    const sortName = (sort: string) => (sort.startsWith("sort=") ? sort.slice(5).split("&")[0] : "created_at");
    log(
      `measuring the page query: ${filterSets.length} filter sets x ${Object.keys(rangeSearch).length} ranges x ${sorts.length} sorts x first/middle/last page`,
    );
    started = performance.now();
    const pageTimes: number[] = [];
    const deepPageTimes: number[] = [];
    const bySortAndRange: Record<string, number[]> = {};
    const record = (sort: string, rangeName: string, ms: number) =>
      (bySortAndRange[`${sort} ${rangeName}`] ??= []).push(ms);
    const offsetDeepTimes: number[] = [];
    let slowest = { ms: 0, label: "" };
    for (const [rangeName, range] of Object.entries(rangeSearch)) {
      for (const filters of filterSets) {
        for (const sort of sorts) {
          const search = [range, filters, sort].filter(Boolean).join("&");
          const query = queryOf(search);
          const filter = syncEventFilterSql(query);
          const { rows } = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM sync_event WHERE ${filter.conditions.join(" AND ")}`,
            filter.params,
          );
          const matching = rows[0].n;
          const first = await medianMs(runs, () => listSyncEvents(query));
          pageTimes.push(first);
          record(sortName(sort), rangeName, first);
          if (first > slowest.ms) slowest = { ms: first, label: `${rangeName} ${search || "(no filter)"} first page` };
          for (const position of [Math.floor(matching / 2), Math.max(0, matching - 60)]) {
            if (position < 100) continue;
            const cursor = await cursorAt(query, position);
            const deep = await medianMs(runs, () => listSyncEvents({ ...query, cursor }));
            deepPageTimes.push(deep);
            record(sortName(sort), rangeName, deep);
            if (deep > slowest.ms)
              slowest = { ms: deep, label: `${rangeName} ${search || "(no filter)"} row ${position}` };
            if (sort === "" && filters === "") {
              // OFFSET to the same page: reads and discards every row before it.
              offsetDeepTimes.push(
                await medianMs(1, () =>
                  pool.query(
                    `SELECT * FROM sync_event WHERE ${filter.conditions.join(" AND ")} ORDER BY created_at DESC, id DESC OFFSET ${position} LIMIT 51`,
                    filter.params,
                  ),
                ),
              );
            }
          }
        }
      }
    }
    const pageSeconds = round((performance.now() - started) / 1000);

    log("measuring the whole loader (page + statistics + merchants) per filter set and range");
    const loaderTimes: Record<string, number[]> = Object.fromEntries(
      Object.keys(rangeSearch).map((range) => [range, []]),
    );
    for (const [rangeName, range] of Object.entries(rangeSearch)) {
      for (const filters of filterSets) {
        const params = new URLSearchParams([range, filters].filter(Boolean).join("&"));
        loaderTimes[rangeName].push(await medianMs(runs, () => loadSyncMonitor(params, NOW)));
      }
    }

    log("measuring the statistics of every shop aggregated from the events (before the rollup)");
    const statsFromEvents: number[] = [];
    const statsFromRollup: number[] = [];
    for (const range of [rangeSearch["90d"], rangeSearch["366d"]]) {
      for (const filters of ["", "type=INVENTORY_SYNC", "status=FAILURE"]) {
        const query = queryOf([range, filters].filter(Boolean).join("&"));
        statsFromEvents.push(await medianMs(1, () => getSyncMonitorStats(query, { source: "events" })));
        statsFromRollup.push(await medianMs(runs, () => getSyncMonitorStats(query)));
      }
    }

    log("measuring the plan's approach: last 100 events, filtered in JS");
    const planShop = await medianMs(runs, async () => {
      const { rows } = await pool.query<{ shop: string; event_type: string }>(
        "SELECT * FROM sync_event ORDER BY created_at DESC LIMIT 100",
      );
      return rows.filter((e) => e.shop === SHOP && e.event_type === "INVENTORY_SYNC");
    });
    const { rows: lastHundred } = await pool.query<{ shop: string; event_type: string }>(
      "SELECT shop, event_type FROM sync_event ORDER BY created_at DESC LIMIT 100",
    );
    const planFound = lastHundred.filter((e) => e.shop === SHOP && e.event_type === "INVENTORY_SYNC").length;
    const correct = await listSyncEvents(queryOf(`shop=${SHOP}&type=INVENTORY_SYNC`));

    // What the rollup costs the writers: one event recorded at a time (as recordSyncEvent does), with the rollup's
    // triggers and without them (the baseline). Last, as these rows change what the queries above would find.
    log("measuring single-event inserts with and without the rollup triggers");
    async function insertOneMs(): Promise<number> {
      const started = performance.now();
      await pool.query(
        `INSERT INTO sync_event (shop, event_type, status, item_count, processing_time_ms, created_at)
         VALUES ($1, 'INVENTORY_SYNC', 'SUCCESS', 12, 345, $2)`,
        [SHOP, NOW],
      );
      return performance.now() - started;
    }
    const insertWithRollup: number[] = [];
    const insertWithoutRollup: number[] = [];
    for (let i = 0; i < 300; i++) insertWithRollup.push(await insertOneMs());
    await pool.query("ALTER TABLE sync_event DISABLE TRIGGER USER");
    try {
      for (let i = 0; i < 300; i++) insertWithoutRollup.push(await insertOneMs());
    } finally {
      await pool.query("ALTER TABLE sync_event ENABLE TRIGGER USER");
    }

    const pages = summary(pageTimes);
    const deep = summary(deepPageTimes);
    const offset = summary(offsetDeepTimes);
    const loaders = Object.fromEntries(Object.entries(loaderTimes).map(([range, times]) => [range, summary(times)]));
    const sortFigures = Object.fromEntries(
      Object.entries(bySortAndRange).map(([key, times]) => [
        `page_${key.replace(" ", "_")}_p95_ms`,
        summary(times).p95,
      ]),
    );
    const everyPage = summary([...pageTimes, ...deepPageTimes]);
    const everyLoader = summary(Object.values(loaderTimes).flat());
    const rollupStats = summary(statsFromRollup);
    const eventStats = summary(statsFromEvents);
    return {
      figures: {
        events: eventCount,
        generate_s: generateSeconds,
        page_queries_measured: pageTimes.length + deepPageTimes.length,
        page_matrix_s: pageSeconds,
        page_first_p50_ms: pages.p50,
        page_first_p95_ms: pages.p95,
        page_deep_p50_ms: deep.p50,
        page_deep_p95_ms: deep.p95,
        ...sortFigures,
        page_any_p95_ms: everyPage.p95,
        page_max_ms: round(slowest.ms),
        page_slowest: slowest.label,
        ...Object.fromEntries(
          Object.entries(loaders).flatMap(([range, s]) => [
            [`loader_${range}_p50_ms`, s.p50],
            [`loader_${range}_p95_ms`, s.p95],
          ]),
        ),
        loader_any_p95_ms: everyLoader.p95,
        loader_max_ms: everyLoader.max,
        stats_all_shops_long_range_p95_ms: rollupStats.p95,
        insert_one_event_p50_ms: summary(insertWithRollup).p50,
        correct_first_page_rows_shop_and_type: correct.events.length,
      },
      baseline: {
        plan_last100_js_filter_ms: round(planShop),
        plan_last100_rows_found_shop_and_type: planFound,
        offset_deep_page_p50_ms: offset.p50,
        offset_deep_page_p95_ms: offset.p95,
        stats_from_events_all_shops_long_range_p95_ms: eventStats.p95,
        insert_one_event_without_rollup_p50_ms: summary(insertWithoutRollup).p50,
      },
      ratio: round(eventStats.p95 / rollupStats.p95),
      goal: "p95 under 150 ms for any filter combination: the page query at any depth and in every sort, and the whole loader (page + statistics + merchants), over 7, 30, 90 and 366 days",
      met:
        Object.values(bySortAndRange).every((times) => summary(times).p95 < 150) &&
        Object.values(loaders).every((s) => s.p95 < 150),
    };
  } finally {
    await database.close();
  }
}
