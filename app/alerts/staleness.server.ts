import { pgPool } from "~/db.server";
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

export interface StalenessThresholds {
  productSyncHours: number;
  inventorySyncHours: number;
}

export const DEFAULT_STALENESS_THRESHOLDS: StalenessThresholds = { productSyncHours: 26, inventorySyncHours: 3 };

// The job types are the sync tasks' names (app/jobs/task-names.ts), so a successful sync's recordSyncRecovery
// resolves the matching staleness alert too.
const PRODUCT_SYNC_JOB = "product-sync";
const INVENTORY_SYNC_JOB = "inventory-sync";

export interface StaleShop {
  shop: string;
  jobType: string;
  lastSuccessAt: Date | null;
  thresholdHours: number;
}

export async function findStaleShops(now: Date, thresholds = DEFAULT_STALENESS_THRESHOLDS): Promise<StaleShop[]> {
  const { rows } = await pgPool().query<StaleShop>(
    `SELECT m.shop, k.job_type AS "jobType", k.last_success_at AS "lastSuccessAt", k.hours AS "thresholdHours"
       FROM merchant_connection m
      CROSS JOIN LATERAL (VALUES ($2::text, m.last_product_sync_at, $3::int),
                                 ($4::text, m.last_inventory_sync_at, $5::int)) AS k(job_type, last_success_at, hours)
      WHERE m.active AND m.approval_status = 'APPROVED' AND NOT m.sync_paused
        -- GREATEST skips NULLs: a time that was never set does not count.
        AND GREATEST(k.last_success_at, m.approval_changed_at, m.installed_at, m.sync_paused_changed_at)
            < $1::timestamptz - make_interval(hours => k.hours)
      ORDER BY m.shop, k.job_type`,
    [now, PRODUCT_SYNC_JOB, thresholds.productSyncHours, INVENTORY_SYNC_JOB, thresholds.inventorySyncHours],
  );
  return rows;
}

export interface StalenessReport {
  stale: NotifyResult[];
  recovered: AlertRow[];
}

export async function watchStaleness(
  now: Date = new Date(),
  options: NotifyOptions & { thresholds?: StalenessThresholds } = {},
): Promise<StalenessReport> {
  const staleShops = await findStaleShops(now, options.thresholds);
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
