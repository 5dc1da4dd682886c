import { pgPool } from "~/db.server";
import { SYNC_KIND_LIST } from "~/jobs/sync-kinds";
import { schedulableSql } from "~/merchants/schedulable";
import { raiseAlerts, type NotifyOptions, type NotifyResult } from "./notify-admins.server";
import { resolveIncidents } from "./resolve.server";
import type { AlertRow } from "./alert-row.server";

// A job that never ran fails nothing, so failures alone miss a stuck scheduler or a shop left out of the fan-out.
// This watch alerts on every shop that should be syncing (active, approved, not paused) and has not succeeded
// recently enough, and resolves its staleness alerts once it has (or once it no longer should be syncing).
//
// A shop's clock starts at the latest of its last success, its approval, its installation and its resumption (after
// a pause), so a newly approved, reinstalled or resumed shop is given the same grace period as one that just synced,
// rather than an alert before its first scheduled run could even start.

export const STALE_ALERT_TYPE = "SYNC_STALE";

// Which kinds are watched, how long they may go without a success and where that success is kept: each sync kind's
// row (app/jobs/sync-kinds.ts). The job type is the kind's task name, so a successful sync's recordSyncRecovery
// resolves the matching staleness alert too.
const WATCHED = SYNC_KIND_LIST.flatMap((kind) =>
  kind.staleAfterHours !== null && kind.lastSuccessColumn !== null
    ? [{ jobType: kind.task, hours: kind.staleAfterHours, column: kind.lastSuccessColumn }]
    : [],
);

export interface StaleShop {
  shop: string;
  jobType: string;
  lastSuccessAt: Date | null;
  thresholdHours: number;
}

export async function findStaleShops(now: Date): Promise<StaleShop[]> {
  // The columns are the rows' typed column names, never input; the job types and hours are parameters.
  const values = WATCHED.map((w, i) => `($${2 * i + 2}::text, m.${w.column}, $${2 * i + 3}::int)`).join(
    ",\n                                 ",
  );
  const { rows } = await pgPool().query<StaleShop>(
    `SELECT m.shop, k.job_type AS "jobType", k.last_success_at AS "lastSuccessAt", k.hours AS "thresholdHours"
       FROM merchant_connection m
      CROSS JOIN LATERAL (VALUES ${values}) AS k(job_type, last_success_at, hours)
      WHERE ${schedulableSql("m")}
        -- GREATEST skips NULLs: a time that was never set does not count.
        AND GREATEST(k.last_success_at, m.approval_changed_at, m.installed_at, m.sync_paused_changed_at)
            < $1::timestamptz - make_interval(hours => k.hours)
      ORDER BY m.shop, k.job_type`,
    [now, ...WATCHED.flatMap((w) => [w.jobType, w.hours])],
  );
  return rows;
}

export interface StalenessReport {
  stale: NotifyResult[];
  recovered: AlertRow[];
}

export async function watchStaleness(now: Date = new Date(), options: NotifyOptions = {}): Promise<StalenessReport> {
  const staleShops = await findStaleShops(now);
  const stale = await raiseAlerts(
    staleShops.map((s) => ({
      type: STALE_ALERT_TYPE,
      severity: "WARNING" as const,
      shop: s.shop,
      jobType: s.jobType,
      title: `No successful ${s.jobType} for ${s.shop} in ${s.thresholdHours} h`,
      data: { lastSuccessAt: s.lastSuccessAt?.toISOString() ?? null, thresholdHours: s.thresholdHours },
    })),
    { ...options, now },
  );

  // Every open staleness alert whose shop is not stale any more: it synced, or was paused, unapproved, uninstalled.
  const { rows: fresh } = await pgPool().query<{ shop: string; jobType: string }>(
    `SELECT a.shop, a.job_type AS "jobType" FROM alert a
      WHERE a.type = $1 AND a.status <> 'RESOLVED'
        AND NOT (COALESCE(a.shop, '') || ' ' || COALESCE(a.job_type, '') = ANY($2::text[]))`,
    [STALE_ALERT_TYPE, staleShops.map((s) => `${s.shop} ${s.jobType}`)],
  );
  const recovered = await resolveIncidents(
    fresh.map((f) => ({ type: STALE_ALERT_TYPE, shop: f.shop, jobType: f.jobType })),
    { now, channels: options.channels, enqueue: options.enqueue },
  );
  return { stale, recovered };
}
