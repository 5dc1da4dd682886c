import type pg from "pg";
import { pgPool } from "~/db.server";
import { utcDaysOf } from "~/analytics/sync-stats.server";
import { syncEventFilterSql } from "./list-sync-events.server";
import { rangeOf, type SyncMonitorQuery } from "./sync-monitor-query";

// The statistics above the sync monitor's table, under exactly the table's filters (getSyncStats filters by shop
// only; the monitor also filters by type and status and wants per-day success rates): one statement, so the totals
// and the chart always agree, with the overall row and one row per UTC day from GROUPING SETS. The columns it reads
// are all in the covering stats indexes, so a range is an index-only scan.

export interface DailyVolume {
  date: string; // YYYY-MM-DD, UTC
  total: number;
  succeeded: number;
  /** SUCCESS / total of that day; null on a day without events. */
  successRate: number | null;
}

export interface SyncMonitorStats {
  total: number;
  successRate: number | null;
  failed: number;
  averageProcessingTimeMs: number | null;
  p95ProcessingTimeMs: number | null;
  daily: DailyVolume[];
}

type StatsFilter = Pick<SyncMonitorQuery, "shop" | "eventType" | "status" | "fromDay" | "toDay">;

export async function getSyncMonitorStats(query: StatsFilter, options: { db?: pg.Pool } = {}): Promise<SyncMonitorStats> {
  const { conditions, params } = syncEventFilterSql(query);
  const client = await (options.db ?? pgPool()).connect();
  let rows: Array<{ overall: boolean; day: Date | null; total: number; succeeded: number; failed: number; average: number | null; p95: number | null }>;
  try {
    await client.query("BEGIN READ ONLY");
    // The percentile sorts the range's durations; the 4 MB default spills a month of events to disk.
    await client.query("SET LOCAL work_mem = '64MB'");
    ({ rows } = await client.query(
      `SELECT GROUPING(day) = 1 AS overall, day,
              count(*)::int AS total,
              count(*) FILTER (WHERE status = 'SUCCESS')::int AS succeeded,
              count(*) FILTER (WHERE status = 'FAILURE')::int AS failed,
              avg(processing_time_ms)::float8 AS average,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY processing_time_ms) AS p95
         FROM (SELECT date_bin('1 day', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS day, status, processing_time_ms
                 FROM sync_event WHERE ${conditions.join(" AND ")}) AS e
        GROUP BY GROUPING SETS ((), (day))`,
      params,
    ));
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }

  const overall = rows.find((row) => row.overall);
  const byDay = new Map(rows.filter((row) => !row.overall).map((row) => [row.day!.toISOString().slice(0, 10), row]));
  const { from, to } = rangeOf(query);
  const total = overall?.total ?? 0;
  return {
    total,
    successRate: total === 0 ? null : overall!.succeeded / total,
    failed: overall?.failed ?? 0,
    averageProcessingTimeMs: overall?.average ?? null,
    p95ProcessingTimeMs: overall?.p95 ?? null,
    daily: utcDaysOf(from, to).map((date) => {
      const day = byDay.get(date);
      return {
        date,
        total: day?.total ?? 0,
        succeeded: day?.succeeded ?? 0,
        successRate: day && day.total > 0 ? day.succeeded / day.total : null,
      };
    }),
  };
}
