import type pg from "pg";
import { pgPool } from "~/db.server";
import { utcDaysOf } from "~/analytics/utc-days";
import { syncEventFilterSql } from "./list-sync-events.server";
import { rangeOf, type SyncMonitorQuery } from "./sync-monitor-query";

// The statistics above the sync monitor's table, under exactly the table's filters: total, success rate, failures,
// average and p95 duration (exact, as percentile_cont computes it), and a point per UTC day for the charts.
//
// Two sources, one answer. Every shop at once reads the sync_event_daily rollup (kept by triggers on sync_event,
// migration 20261128120000): per day, type, status and duration bucket, the event count and the summed duration.
// Its bucket counts say which bucket the p95's rank falls in and where in it; one short read of the duration rank
// index inside that bucket gives the exact value. 90 days of 1,000,000 events: tens of milliseconds instead of the
// ~0.5 s of aggregating the events themselves. One shop's events are few, so those are aggregated directly (the
// rollup has no shop dimension: it would hold a row per shop and cell, as many as the events it summarises).
// Both read one snapshot, so the totals and the chart always agree.

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

export interface StatsOptions {
  db?: pg.Pool;
  /** "events" aggregates the raw events even for every shop (the tests check the rollup against it). */
  source?: "auto" | "events";
}

const P95 = 0.95;

interface Figures {
  byDay: Map<string, { total: number; succeeded: number }>;
  total: number;
  succeeded: number;
  failed: number;
  averageProcessingTimeMs: number | null;
  p95ProcessingTimeMs: number | null;
}

export async function getSyncMonitorStats(query: StatsFilter, options: StatsOptions = {}): Promise<SyncMonitorStats> {
  const client = await (options.db ?? pgPool()).connect();
  let figures: Figures;
  try {
    // One snapshot for both statements of the rollup path.
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    figures =
      query.shop || options.source === "events"
        ? await fromEvents(client, query)
        : await fromDailyRollup(client, query);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }

  const { from, to } = rangeOf(query);
  return {
    total: figures.total,
    successRate: figures.total === 0 ? null : figures.succeeded / figures.total,
    failed: figures.failed,
    averageProcessingTimeMs: figures.averageProcessingTimeMs,
    p95ProcessingTimeMs: figures.p95ProcessingTimeMs,
    daily: utcDaysOf(from, to).map((date) => {
      const day = figures.byDay.get(date);
      return {
        date,
        total: day?.total ?? 0,
        succeeded: day?.succeeded ?? 0,
        successRate: day && day.total > 0 ? day.succeeded / day.total : null,
      };
    }),
  };
}

function dayText(day: Date): string {
  return day.toISOString().slice(0, 10);
}

/** The raw events of the range: one statement, an overall row and a row per UTC day from GROUPING SETS. */
async function fromEvents(client: pg.PoolClient, query: StatsFilter): Promise<Figures> {
  const { conditions, params } = syncEventFilterSql(query);
  // The percentile sorts the range's durations; the 4 MB default spills a month of events to disk.
  await client.query("SET LOCAL work_mem = '64MB'");
  const { rows } = await client.query<{
    overall: boolean;
    day: Date | null;
    total: number;
    succeeded: number;
    failed: number;
    average: number | null;
    p95: number | null;
  }>(
    `SELECT GROUPING(day) = 1 AS overall, day,
            count(*)::int AS total,
            count(*) FILTER (WHERE status = 'SUCCESS')::int AS succeeded,
            count(*) FILTER (WHERE status = 'FAILURE')::int AS failed,
            avg(processing_time_ms)::float8 AS average,
            percentile_cont(${P95}) WITHIN GROUP (ORDER BY processing_time_ms) AS p95
       FROM (SELECT date_bin('1 day', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS day, status, processing_time_ms
               FROM sync_event WHERE ${conditions.join(" AND ")}) AS e
      GROUP BY GROUPING SETS ((), (day))`,
    params,
  );
  const overall = rows.find((row) => row.overall);
  return {
    byDay: new Map(rows.filter((row) => !row.overall).map((row) => [dayText(row.day!), row])),
    total: overall?.total ?? 0,
    succeeded: overall?.succeeded ?? 0,
    failed: overall?.failed ?? 0,
    averageProcessingTimeMs: overall?.average ?? null,
    p95ProcessingTimeMs: overall?.p95 ?? null,
  };
}

/** The rollup of every shop: per-day rows for the chart and per-bucket rows for the durations, in one statement. */
async function fromDailyRollup(client: pg.PoolClient, query: StatsFilter): Promise<Figures> {
  const conditions = ["day >= $1::date", "day <= $2::date"];
  const params: unknown[] = [query.fromDay, query.toDay];
  if (query.eventType) conditions.push(`event_type = $${params.push(query.eventType)}::"SyncEventType"`);
  if (query.status) conditions.push(`status = $${params.push(query.status)}::"SyncEventStatus"`);
  const { rows } = await client.query<{
    by_day: boolean;
    day: Date | null;
    bucket: number | null;
    total: number;
    succeeded: number;
    failed: number;
    duration_sum: number;
  }>(
    `SELECT GROUPING(duration_bucket) = 1 AS by_day, day, duration_bucket AS bucket,
            sum(event_count)::int AS total,
            coalesce(sum(event_count) FILTER (WHERE status = 'SUCCESS'), 0)::int AS succeeded,
            coalesce(sum(event_count) FILTER (WHERE status = 'FAILURE'), 0)::int AS failed,
            sum(duration_sum_ms)::float8 AS duration_sum
       FROM sync_event_daily WHERE ${conditions.join(" AND ")}
      GROUP BY GROUPING SETS ((day), (duration_bucket))`,
    params,
  );
  const days = rows.filter((row) => row.by_day);
  // Events that reported a duration, by bucket in ascending order (bucket -1: no duration).
  const buckets = rows.filter((row) => !row.by_day && row.bucket! >= 0).sort((a, b) => a.bucket! - b.bucket!);
  const timed = buckets.reduce((sum, row) => sum + row.total, 0);
  const durationSum = buckets.reduce((sum, row) => sum + row.duration_sum, 0);
  return {
    byDay: new Map(days.map((row) => [dayText(row.day!), row])),
    total: days.reduce((sum, row) => sum + row.total, 0),
    succeeded: days.reduce((sum, row) => sum + row.succeeded, 0),
    failed: days.reduce((sum, row) => sum + row.failed, 0),
    averageProcessingTimeMs: timed === 0 ? null : durationSum / timed,
    p95ProcessingTimeMs: timed === 0 ? null : await percentileFromBuckets(client, query, buckets, timed, P95),
  };
}

/**
 * percentile_cont(fraction) of the filtered durations: the rank fraction * (n - 1) lies between the values at
 * positions floor and floor + 1 of the ascending order. The bucket counts say which bucket holds position floor and
 * how many come before it; the duration rank index, ordered (bucket, duration), gives that value and the next.
 */
async function percentileFromBuckets(
  client: pg.PoolClient,
  query: StatsFilter,
  buckets: { bucket: number | null; total: number }[],
  timed: number,
  fraction: number,
): Promise<number | null> {
  const rank = fraction * (timed - 1);
  const position = Math.floor(rank);
  let before = 0;
  const holder = buckets.find((row) => {
    if (position < before + row.total) return true;
    before += row.total;
    return false;
  });
  if (!holder) return null;
  const { conditions, params } = syncEventFilterSql(query);
  const bucketParam = params.push(holder.bucket);
  const offsetParam = params.push(position - before);
  const { rows } = await client.query<{ ms: number }>(
    `SELECT processing_time_ms AS ms FROM sync_event
      WHERE ${conditions.join(" AND ")} AND sync_duration_bucket(processing_time_ms) >= $${bucketParam}::smallint
      ORDER BY sync_duration_bucket(processing_time_ms), processing_time_ms
     OFFSET $${offsetParam} LIMIT 2`,
    params,
  );
  if (rows.length === 0) return null;
  const [lower, upper = lower] = rows.map((row) => row.ms);
  // The same interpolation as PostgreSQL's percentile_cont (float8_lerp).
  return lower + (rank - position) * (upper - lower);
}
