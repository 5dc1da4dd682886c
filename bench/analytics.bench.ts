import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import pg from "pg";
import { getSyncStats } from "../app/analytics/sync-stats.server";
import { startScratchServer } from "../scripts/lib/scratch-server";
import { applyMigrations } from "../app/database/migrations.server";

// getSyncStats over 1,000,000 sync events (200 shops, 90 days), against the original plan's approach measured in
// the same run on the same data: load the range's events through the ORM and aggregate them in JavaScript.
// Goals (issue 6): under 100 ms for one shop and under 1 s for all shops, over 30 days.
//
// The events go into a dedicated database created from the project's migrations, on DATABASE_URL's server when
// set, else on an embedded PostgreSQL started for the run; both are removed afterwards.

export const name = "analytics";
export const description = "getSyncStats over 1M sync events: one shop and all shops, 30 days, vs load-and-aggregate in JS";

export interface AnalyticsBenchOptions {
  events?: number;
  shops?: number;
  runs?: number;
  log?: (line: string) => void;
}

const NOW = new Date("2026-11-20T00:00:00Z");
const DAY_MS = 86_400_000;

async function timeMedian<T>(runs: number, work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  let result = await work(); // warm-up: plans, caches, JIT
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ms: Math.round(times[Math.floor(times.length / 2)] * 10) / 10, result };
}

/** The original plan's SyncAnalyticsService.getSyncStats, on Prisma instead of TypeORM (plus percentiles). */
async function planGetSyncStats(prisma: PrismaClient, shop: string | null, from: Date, to: Date) {
  const events = await prisma.syncEvent.findMany({
    where: { ...(shop ? { shop } : {}), createdAt: { gte: from, lt: to } },
  });
  const total = events.length;
  const successEvents = events.filter((e) => e.status === "SUCCESS").length;
  const successRate = total > 0 ? (successEvents / total) * 100 : 100;
  const times = events.map((e) => e.processingTimeMs).filter((t): t is number => t !== null).sort((a, b) => a - b);
  const avgProcessingTime = times.length > 0 ? times.reduce((sum, t) => sum + t, 0) / times.length : 0;
  const eventsByType: Record<string, number> = {};
  for (const e of events) eventsByType[e.eventType] = (eventsByType[e.eventType] ?? 0) + 1;
  const recentFailures = events
    .filter((e) => e.status === "FAILURE")
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    .slice(0, 5);
  return { total, successRate, avgProcessingTime, p50: times[Math.floor(times.length / 2)], eventsByType, recentFailures };
}

export async function run(options: AnalyticsBenchOptions = {}) {
  const eventCount = options.events ?? 1_000_000;
  const shops = options.shops ?? 200;
  const runs = options.runs ?? 5;
  const log = options.log ?? (() => undefined);

  const server = await startScratchServer("bench-analytics", log);
  const database = `ms_bench_analytics_${process.pid}`;
  const url = server.urlOf(database);
  await server.run(`DROP DATABASE IF EXISTS ${database}`);
  await server.run(`CREATE DATABASE ${database}`);
  const pool = new pg.Pool({ connectionString: url, max: 6 });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  try {
    await applyMigrations(url);
    log(`generating ${eventCount.toLocaleString("en")} events over ${shops} shops and 90 days`);
    const started = performance.now();
    // One set-based INSERT: a realistic mix of kinds, about 8% failures and 4% partial runs, long-tailed durations,
    // appended in time order as a live system appends them.
    await pool.query(
      `INSERT INTO sync_event (shop, event_type, status, item_count, processing_time_ms, error_message, created_at)
       SELECT shop, event_type, status, item_count, processing_time_ms, error_message, created_at FROM (
         SELECT 'shop-' || lpad((g % $2)::text, 4, '0') || '.myshopify.com' AS shop,
                (ARRAY['INVENTORY_SYNC','INVENTORY_SYNC','INVENTORY_SYNC','WEBHOOK','WEBHOOK','PRODUCT_SYNC',
                       'BULK_OPERATION','DATA_INTEGRITY'])[1 + (hashint4(g) & 7)]::"SyncEventType" AS event_type,
                (CASE WHEN r < 0.88 THEN 'SUCCESS' WHEN r < 0.96 THEN 'FAILURE' ELSE 'PARTIAL' END)::"SyncEventStatus" AS status,
                (random() * 5000)::int AS item_count,
                CASE WHEN random() < 0.97 THEN (50 + 120000 * random() ^ 4)::int END AS processing_time_ms,
                CASE WHEN r >= 0.88 AND r < 0.96 THEN 'Simulated failure ' || (g % 17) END AS error_message,
                $3::timestamptz - random() * interval '90 days' AS created_at
           FROM generate_series(1, $1) AS g
          CROSS JOIN LATERAL (SELECT random() + g * 0 AS r) AS x
       ) AS generated ORDER BY created_at`,
      [eventCount, shops, NOW],
    );
    await pool.query("VACUUM ANALYZE sync_event");
    const generateSeconds = Math.round((performance.now() - started) / 100) / 10;

    const from = new Date(NOW.getTime() - 30 * DAY_MS);
    const oneShop = "shop-0042.myshopify.com";
    log("measuring getSyncStats (SQL)");
    const sqlOne = await timeMedian(runs, () => getSyncStats({ shop: oneShop, from, to: NOW }, { db: pool }));
    const sqlAll = await timeMedian(runs, () => getSyncStats({ from, to: NOW }, { db: pool }));
    log("measuring the plan's approach (load events, aggregate in JS)");
    const jsOne = await timeMedian(runs, () => planGetSyncStats(prisma, oneShop, from, NOW));
    const jsAll = await timeMedian(Math.min(runs, 3), () => planGetSyncStats(prisma, null, from, NOW));

    // Both approaches must agree before their times mean anything.
    if (sqlAll.result.total !== jsAll.result.total || sqlOne.result.total !== jsOne.result.total) {
      throw new Error(`SQL and JS disagree: ${sqlAll.result.total} vs ${jsAll.result.total} events`);
    }

    const met = sqlOne.ms < 100 && sqlAll.ms < 1000;
    return {
      figures: {
        events: eventCount,
        shops,
        generate_s: generateSeconds,
        one_shop_30d_events: sqlOne.result.total,
        one_shop_30d_ms: sqlOne.ms,
        all_shops_30d_events: sqlAll.result.total,
        all_shops_30d_ms: sqlAll.ms,
      },
      baseline: {
        one_shop_30d_ms: jsOne.ms,
        all_shops_30d_ms: jsAll.ms,
      },
      ratio: Math.round((jsAll.ms / sqlAll.ms) * 10) / 10,
      goal: "getSyncStats under 100 ms for one shop and under 1 s for all shops, 30 days of 1M events",
      met,
    };
  } finally {
    await prisma.$disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await server.run(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await server.stop();
  }
}
