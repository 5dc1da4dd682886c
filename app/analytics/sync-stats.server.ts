import type { SyncEventStatus, SyncEventType } from "@prisma/client";
import type pg from "pg";
import { pgPool } from "~/db.server";

// Sync statistics for the monitoring dashboard, aggregated in PostgreSQL (the original plan loaded every event and
// averaged in JavaScript). Three statements in one read-only snapshot, so the totals, the breakdowns and the chart
// always agree: the summary with exact percentiles, the counts by (UTC day, type, status) (at most a few hundred
// rows, which give the by-type, by-status and daily figures), and the last failures. Covering indexes on
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
 * Runs `work` in a read-only REPEATABLE READ transaction (one snapshot for every statement) with enough sort memory
 * for the percentiles of a month of events (about 24 bytes per event; the 4 MB default spills to disk).
 */
async function inAnalyticsSnapshot<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await client.query("SET LOCAL work_mem = '64MB'");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
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

  const { summary, breakdown, failures } = await inAnalyticsSnapshot(options.db ?? pgPool(), async (client) => {
    const summary = await client.query<{ total: number; succeeded: number; measured: number; average: number | null; percentiles: number[] | null }>(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE status = 'SUCCESS')::int AS succeeded,
              count(processing_time_ms)::int AS measured,
              avg(processing_time_ms)::float8 AS average,
              -- one sort for both percentiles
              percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY processing_time_ms) AS percentiles
         FROM sync_event WHERE ${where}`,
      params,
    );
    // date_bin to UTC midnight is cheaper per row than converting to a date or text; the day is named in JS.
    const breakdown = await client.query<{ day: Date; event_type: SyncEventType; status: SyncEventStatus; n: number; time_sum: number | null; time_n: number }>(
      `SELECT date_bin('1 day', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS day, event_type, status,
              count(*)::int AS n, sum(processing_time_ms)::float8 AS time_sum, count(processing_time_ms)::int AS time_n
         FROM sync_event WHERE ${where}
        GROUP BY 1, 2, 3`,
      params,
    );
    const failures = await client.query<RecentFailure>(
      `SELECT id::text, shop, event_type AS "eventType", error_message AS "errorMessage", item_count AS "itemCount",
              processing_time_ms AS "processingTimeMs", created_at AS "createdAt"
         FROM sync_event WHERE status = 'FAILURE' AND ${where}
        ORDER BY created_at DESC, id DESC LIMIT ${failuresLimit}`,
      params,
    );
    return { summary: summary.rows[0], breakdown: breakdown.rows, failures: failures.rows };
  });

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
    const day = days.get(row.day.toISOString().slice(0, 10));
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
    recentFailures: failures,
  };
}
