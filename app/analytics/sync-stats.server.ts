import type { SyncEventStatus, SyncEventType } from "@prisma/client";
import type pg from "pg";
import { pgPool } from "~/db.server";

// Sync statistics for the monitoring dashboard, aggregated in PostgreSQL (the original plan loaded every event and
// averaged in JavaScript). One statement (one snapshot, so the totals, the breakdowns and the chart always agree,
// and one round trip) of three parts: the summary with exact percentiles, the counts by (UTC day, type, status) (at
// most a few hundred rows, which give the by-type, by-status and daily figures), and the last failures. Covering indexes on
// (created_at) and (shop, created_at) let each one be an index-only scan of the range.
//
// The range is half-open, [from, to), in UTC; days in the daily series are UTC days.

export const SYNC_EVENT_TYPES: SyncEventType[] = ["PRODUCT_SYNC", "INVENTORY_SYNC", "BULK_OPERATION", "WEBHOOK", "DATA_INTEGRITY"];
export const SYNC_EVENT_STATUSES: SyncEventStatus[] = ["SUCCESS", "FAILURE", "PARTIAL"];

export interface SyncStatsQuery {
  /** One shop, or every shop when absent. */
  shop?: string | null;
  from: Date;
  to: Date;
  /** How many of the most recent failures to return (default 5). */
  failuresLimit?: number;
}

export type StatusCounts = Record<SyncEventStatus, number>;

export interface DailySyncStats extends StatusCounts {
  date: string; // YYYY-MM-DD (UTC)
  total: number;
  averageProcessingTimeMs: number | null;
}

export interface RecentFailure {
  id: string;
  shop: string;
  eventType: SyncEventType;
  errorMessage: string | null;
  itemCount: number | null;
  processingTimeMs: number | null;
  createdAt: Date;
}

export interface SyncStats {
  shop: string | null;
  from: Date;
  to: Date;
  total: number;
  /** SUCCESS / total, from 0 to 1; null when the range holds no event (nothing to rate). */
  successRate: number | null;
  processingTimeMs: {
    /** Events that reported a processing time (the others are left out of the figures below). */
    measured: number;
    average: number | null;
    p50: number | null;
    p95: number | null;
  };
  byStatus: StatusCounts;
  byType: Record<SyncEventType, StatusCounts & { total: number }>;
  daily: DailySyncStats[];
  recentFailures: RecentFailure[];
}

const DAY_MS = 86_400_000;

function zeroStatusCounts(): StatusCounts {
  return { SUCCESS: 0, FAILURE: 0, PARTIAL: 0 };
}

/** Every UTC day that [from, to) touches, so the chart has a point (possibly zero) for each. */
export function utcDaysOf(from: Date, to: Date): string[] {
  const days: string[] = [];
  if (to.getTime() <= from.getTime()) return days;
  const first = Math.floor(from.getTime() / DAY_MS) * DAY_MS;
  for (let day = first; day < to.getTime(); day += DAY_MS) days.push(new Date(day).toISOString().slice(0, 10));
  return days;
}

/**
 * Runs one statement with enough sort memory for the percentiles of a month of events (about 24 bytes per event;
 * the 4 MB default spills to disk). BEGIN and SET LOCAL travel in one round trip.
 */
async function queryWithSortMemory<Row extends pg.QueryResultRow>(pool: pg.Pool, sql: string, params: unknown[]): Promise<Row> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN READ ONLY; SET LOCAL work_mem = '64MB'");
    const { rows } = await client.query<Row>(sql, params);
    await client.query("COMMIT");
    return rows[0];
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

interface StatsRow {
  summary: { total: number; succeeded: number; measured: number; average: number | null; percentiles: number[] | null };
  breakdown: { day: string; event_type: SyncEventType; status: SyncEventStatus; n: number; time_sum: number | null; time_n: number }[];
  failures: (Omit<RecentFailure, "createdAt"> & { createdAt: string })[];
}

export async function getSyncStats(query: SyncStatsQuery, options: { db?: pg.Pool } = {}): Promise<SyncStats> {
  const { from, to } = query;
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new RangeError("from and to must be valid dates");
  if (from.getTime() > to.getTime()) throw new RangeError("from must not be after to");
  const shop = query.shop ?? null;

  // Filtering by shop only when one is asked for keeps each statement's plan simple (an OR on a NULL parameter
  // would hide the shop index from the planner).
  const where = `created_at >= $1 AND created_at < $2${shop ? " AND shop = $3" : ""}`;
  const params: unknown[] = shop ? [from, to, shop] : [from, to];
  const failuresLimit = Math.max(0, Math.floor(query.failuresLimit ?? 5));

  // One statement, so one snapshot: the totals, the breakdowns and the chart always agree.
  const { summary, breakdown, failures } = await queryWithSortMemory<StatsRow>(
    options.db ?? pgPool(),
    `SELECT
       (SELECT json_build_object(
                 'total', count(*),
                 'succeeded', count(*) FILTER (WHERE status = 'SUCCESS'),
                 'measured', count(processing_time_ms),
                 'average', avg(processing_time_ms)::float8,
                 -- one sort for both percentiles
                 'percentiles', percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY processing_time_ms))
          FROM sync_event WHERE ${where}) AS summary,
       -- date_bin to UTC midnight per row is cheaper than a date or text conversion; the day is named per group.
       (SELECT COALESCE(json_agg(b), '[]') FROM (
          SELECT to_char(date_bin('1 day', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AT TIME ZONE 'UTC',
                         'YYYY-MM-DD') AS day,
                 event_type, status, count(*) AS n, sum(processing_time_ms)::float8 AS time_sum,
                 count(processing_time_ms) AS time_n
            FROM sync_event WHERE ${where}
           GROUP BY date_bin('1 day', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), event_type, status) AS b
       ) AS breakdown,
       (SELECT COALESCE(json_agg(f ORDER BY f."createdAt" DESC, f.id::bigint DESC), '[]') FROM (
          SELECT id::text AS id, shop, event_type AS "eventType", error_message AS "errorMessage",
                 item_count AS "itemCount", processing_time_ms AS "processingTimeMs", created_at AS "createdAt"
            FROM sync_event WHERE status = 'FAILURE' AND ${where}
           ORDER BY created_at DESC, id DESC LIMIT ${failuresLimit}) AS f
       ) AS failures`,
    params,
  );

  const byStatus = zeroStatusCounts();
  const byType = Object.fromEntries(SYNC_EVENT_TYPES.map((t) => [t, { total: 0, ...zeroStatusCounts() }])) as SyncStats["byType"];
  const days = new Map(
    utcDaysOf(from, to).map((date) => [date, { date, total: 0, ...zeroStatusCounts(), timeSum: 0, timeN: 0 }]),
  );
  // A few rows per day and type, not per event.
  for (const row of breakdown) {
    byType[row.event_type].total += row.n;
    byType[row.event_type][row.status] += row.n;
    byStatus[row.status] += row.n;
    const day = days.get(row.day);
    if (!day) continue;
    day.total += row.n;
    day[row.status] += row.n;
    day.timeSum += row.time_sum ?? 0;
    day.timeN += row.time_n;
  }

  return {
    shop,
    from,
    to,
    total: summary.total,
    successRate: summary.total === 0 ? null : summary.succeeded / summary.total,
    processingTimeMs: {
      measured: summary.measured,
      average: summary.average,
      p50: summary.percentiles?.[0] ?? null,
      p95: summary.percentiles?.[1] ?? null,
    },
    byStatus,
    byType,
    daily: [...days.values()].map(({ timeSum, timeN, ...day }) => ({
      ...day,
      averageProcessingTimeMs: timeN === 0 ? null : timeSum / timeN,
    })),
    recentFailures: failures.map((f) => ({ ...f, createdAt: new Date(f.createdAt) })),
  };
}
