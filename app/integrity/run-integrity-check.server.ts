import { randomUUID } from "node:crypto";
import { notifyAdmins, type NotifyOutcome } from "~/alerts/notify-admins.server";
import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { prisma } from "~/db.server";
import { TASK } from "~/jobs/task-names";
import type { CheckName } from "./check";
import { INTEGRITY_CHECKS } from "./checks";
import { runCheck, type CheckResult } from "./run-check.server";

// The weekly data integrity check of one merchant (also run on demand): every check of ./checks in order, each one
// set-based statement scoped to this shop. Repairs and their findings commit together per check; a failure in a
// later check leaves the earlier checks' repairs (each complete and recorded) in place, and the retry runs all
// checks again, which finds nothing left to do for those.
//
// Dry run: repairs write WOULD_FIX findings (the reviewable report of what a real run would change) and change
// nothing else; flags are only counted (flagging changes no data, and writing them would pre-empt the real run's
// findings); no product sync is queued, no alert raised, no SyncEvent recorded and the connection's
// last_integrity_check_at is left alone.

export const DEFAULT_STALE_AFTER_HOURS = 72; // three missed daily product syncs

export interface RunIntegrityCheckOptions {
  shop: string;
  dryRun?: boolean;
  now?: Date;
  /** A selected product not synced for longer than this is flagged (stale_product). */
  staleAfterHours?: number;
  /** Only these checks (all by default). */
  checks?: readonly CheckName[];
  /** Called after each check; the job logs progress with it, tests interleave events with it. */
  afterCheck?: (result: CheckResult) => Promise<void> | void;
}

export interface IntegrityReport {
  runId: string;
  shop: string;
  dryRun: boolean;
  /** Set when there was nothing to check: the shop has no connection (never installed, or removed). */
  skipped?: "no-connection";
  checks: CheckResult[];
  totals: { found: number; fixed: number; newlyFlagged: number; cleared: number };
  /** The one DATA_INTEGRITY_ISSUE alert of this run (invalid prices), if one was raised. */
  priceAlert?: NotifyOutcome;
  durationMs: number;
}

export async function runIntegrityCheck(options: RunIntegrityCheckOptions): Promise<IntegrityReport> {
  const started = performance.now();
  const { shop } = options;
  const now = options.now ?? new Date();
  const dryRun = options.dryRun ?? false;
  const runId = randomUUID();
  const report: IntegrityReport = {
    runId,
    shop,
    dryRun,
    checks: [],
    totals: { found: 0, fixed: 0, newlyFlagged: 0, cleared: 0 },
    durationMs: 0,
  };

  const connection = await prisma.merchantConnection.findUnique({ where: { shop }, select: { merchantId: true } });
  if (!connection) {
    report.skipped = "no-connection";
    report.durationMs = performance.now() - started;
    return report;
  }

  const selected = options.checks ? new Set(options.checks) : undefined;
  for (const check of INTEGRITY_CHECKS) {
    if (selected && !selected.has(check.name)) continue;
    // A connection removed meanwhile simply makes the remaining checks find nothing: every check joins it.
    const result = await runCheck(check, {
      shop,
      runId,
      now,
      dryRun,
      staleAfterHours: options.staleAfterHours ?? DEFAULT_STALE_AFTER_HOURS,
    });
    report.checks.push(result);
    report.totals.found += result.found;
    report.totals.fixed += result.fixed;
    report.totals.newlyFlagged += result.newlyFlagged;
    report.totals.cleared += result.cleared;
    await options.afterCheck?.(result);
  }

  if (!dryRun) {
    const invalidPrices = report.checks.find((c) => c.check === "invalid_price");
    if (invalidPrices && invalidPrices.found > 0) {
      const { outcome } = await notifyAdmins({
        type: "DATA_INTEGRITY_ISSUE",
        severity: "WARNING",
        shop,
        jobType: TASK.integrityCheck,
        title: `${invalidPrices.found} variant(s) of ${shop} have a missing, zero or negative price`,
        data: {
          runId,
          check: invalidPrices.check,
          count: invalidPrices.found,
          listed: invalidPrices.listing.length,
          variants: invalidPrices.listing.map((v) => ({ id: v.id, message: v.message, ...(v.before as object) })),
        },
      });
      report.priceAlert = outcome;
    }
    await prisma.merchantConnection.updateMany({ where: { shop }, data: { lastIntegrityCheckAt: now } });
  }

  report.durationMs = performance.now() - started;
  if (!dryRun) {
    await recordSyncEvent({
      shop,
      merchantId: connection.merchantId,
      eventType: "DATA_INTEGRITY",
      status: "SUCCESS",
      itemCount: report.totals.found,
      processingTimeMs: report.durationMs,
      createdAt: now,
      metadata: {
        runId,
        totals: { ...report.totals },
        checks: Object.fromEntries(
          report.checks.map((c) => [
            c.check,
            {
              found: c.found,
              fixed: c.fixed,
              newlyFlagged: c.newlyFlagged,
              cleared: c.cleared,
              sampleIds: c.sampleIds.slice(0, 5),
            },
          ]),
        ),
      },
    });
  }
  return report;
}
