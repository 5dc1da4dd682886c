import { watchStaleness } from "~/alerts/staleness.server";
import { defineTask } from "../define-task.server";
import { cronPayload } from "~/jobs/task-payloads";
import { NO_RETRY_POLICY } from "~/jobs/retry-policy";
import { TASK } from "~/jobs/task-names";

// Cron (every 15 minutes): alerts on shops whose syncs stopped succeeding (each sync kind's staleness, app/alerts/
// staleness.server.ts), and resolves those that caught up. Judged at the time it runs (a backfilled run asks "stale
// now?", which is the point).
export const alertsStalenessWatch = defineTask({
  name: TASK.alertsStalenessWatch,
  payload: cronPayload,
  retry: NO_RETRY_POLICY,
  // A shop whose syncs stopped (no job failed) is noticed within 15 minutes.
  schedule: { identifier: "alerts-staleness-watch", match: "*/15 * * * *", backfillPeriod: 0 },
  async run(_payload, { helpers }) {
    const { stale, recovered } = await watchStaleness(new Date());
    const opened = stale.filter((s) => s.outcome === "opened").length;
    if (opened > 0 || recovered.length > 0) {
      helpers.logger.info(`staleness: ${stale.length} stale (${opened} new), ${recovered.length} recovered`);
    }
  },
});
