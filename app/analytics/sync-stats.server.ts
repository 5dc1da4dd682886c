import type { SyncEventStatus, SyncEventType } from "@prisma/client";
import { pgPool } from "~/db.server";
import type { Queryable } from "~/lib/queryable.server";

// Sync statistics for the monitoring dashboard, aggregated in PostgreSQL (the original plan loaded every event and
// averaged in JavaScript). Three statements, run concurrently: the summary with percentiles, the breakdowns (by
// type and status, and by day and status, in one pass with GROUPING SETS), and the last failures.
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

export async function getSyncStats(query: SyncStatsQuery, options: { db?: Queryable } = {}): Promise<SyncStats> {
  const { from, to } = query;
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new RangeError("from and to must be valid dates");
  if (from.getTime() > to.getTime()) throw new RangeError("from must not be after to");
  const db = options.db ?? pgPool();
  const shop = query.shop ?? null;

  // Filtering by shop only when one is asked for keeps each statement's plan simple (an OR on a NULL parameter
  // would hide the shop index from the planner).
  const where = `created_at >= $1 AND created_at < $2${shop ? " AND shop = $3" : ""}`;
  const params: unknown[] = shop ? [from, to, shop] : [from, to];

  const [summary, breakdown, failures] = await Promise.all([
    db.query<{ total: number; succeeded: number; measured: number; average: number | null; p50: number | null; p95: number | null }>(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE status = 'SUCCESS')::int AS succeeded,
              count(processing_time_ms)::int AS measured,
              avg(processing_time_ms)::float8 AS average,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY processing_time_ms) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY processing_time_ms) AS p95
         FROM sync_event WHERE ${where}`,
      params,
    ),
    db.query<{ by_day: boolean; event_type: SyncEventType | null; day: string | null; status: SyncEventStatus; n: number; time_sum: number | null; time_n: number }>(
      `SELECT GROUPING(event_type) = 1 AS by_day, event_type,
              ((created_at AT TIME ZONE 'UTC')::date)::text AS day, status,
              count(*)::int AS n, sum(processing_time_ms)::float8 AS time_sum, count(processing_time_ms)::int AS time_n
         FROM sync_event WHERE ${where}
        GROUP BY GROUPING SETS ((event_type, status), ((created_at AT TIME ZONE 'UTC')::date, status))`,
      params,
    ),
    db.query<RecentFailure>(
      `SELECT id::text, shop, event_type AS "eventType", error_message AS "errorMessage", item_count AS "itemCount",
              processing_time_ms AS "processingTimeMs", created_at AS "createdAt"
         FROM sync_event WHERE status = 'FAILURE' AND ${where}
        ORDER BY created_at DESC, id DESC LIMIT ${Math.max(0, Math.floor(query.failuresLimit ?? 5))}`,
      params,
    ),
  ]);

  const s = summary.rows[0];
  const byStatus = zeroStatusCounts();
  const byType = Object.fromEntries(SYNC_EVENT_TYPES.map((t) => [t, { total: 0, ...zeroStatusCounts() }])) as SyncStats["byType"];
  const days = new Map(
    utcDaysOf(from, to).map((date) => [date, { date, total: 0, ...zeroStatusCounts(), timeSum: 0, timeN: 0 }]),
  );
  // The breakdown holds a few rows per type and per day, not per event.
  for (const row of breakdown.rows) {
    if (row.by_day) {
      const day = days.get(row.day!);
      if (!day) continue;
      day.total += row.n;
      day[row.status] += row.n;
      day.timeSum += row.time_sum ?? 0;
      day.timeN += row.time_n;
    } else {
      byType[row.event_type!].total += row.n;
      byType[row.event_type!][row.status] += row.n;
      byStatus[row.status] += row.n;
    }
  }

  return {
    shop,
    from,
    to,
    total: s.total,
    successRate: s.total === 0 ? null : s.succeeded / s.total,
    processingTimeMs: { measured: s.measured, average: s.average, p50: s.p50, p95: s.p95 },
    byStatus,
    byType,
    daily: [...days.values()].map(({ timeSum, timeN, ...day }) => ({
      ...day,
      averageProcessingTimeMs: timeN === 0 ? null : timeSum / timeN,
    })),
    recentFailures: failures.rows,
  };
}
