import { notifyAdmins } from "~/alerts/notify-admins.server";
import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { runIntegrityCheck } from "~/integrity/run-integrity-check.server";
import { defineTask } from "../define-task.server";
import { shopJobKey, shopJobPayload } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";

// The weekly (and on-demand) integrity check of one shop. Two attempts, a minute apart; the admins hear of
// it once, after the last attempt (onGaveUp), never on an attempt that will be retried.
export const integrityCheck = defineTask({
  name: TASK.integrityCheck,
  payload: shopJobPayload,
  retry: { maxAttempts: 2, firstDelayMs: 60_000 },
  exclusiveKey: (payload) => shopJobKey(TASK.integrityCheck, payload.shop),
  async run(payload, { helpers, attempt, maxAttempts }) {
    const started = performance.now();
    try {
      const report = await runIntegrityCheck({
        shop: payload.shop,
        afterCheck: (r) =>
          helpers.logger.debug(`integrity-check ${payload.shop} ${r.check}: found ${r.found}, fixed ${r.fixed}`),
      });
      helpers.logger.info(
        report.skipped
          ? `integrity-check ${payload.shop}: skipped (${report.skipped})`
          : `integrity-check ${payload.shop}: found ${report.totals.found}, fixed ${report.totals.fixed}, newly flagged ${report.totals.newlyFlagged}`,
      );
    } catch (error) {
      await recordSyncEvent({
        shop: payload.shop,
        eventType: "DATA_INTEGRITY",
        status: "FAILURE",
        processingTimeMs: performance.now() - started,
        errorMessage: (error as Error).message,
        metadata: { attempt, maxAttempts, reason: payload.reason },
      }).catch(() => undefined); // the failure being reported matters more than its record
      throw error;
    }
  },
  async onGaveUp(payload, error) {
    await notifyAdmins({
      type: "SYNC_FAILURE",
      severity: "CRITICAL",
      shop: payload.shop,
      jobType: TASK.integrityCheck,
      title: `The integrity check of ${payload.shop} failed`,
      data: { error: error instanceof Error ? error.message : String(error) },
    });
  },
});
