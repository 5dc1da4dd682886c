import { dispatchDueDeliveries } from "~/alerts/dispatch.server";
import { defineTask } from "../define-task.server";
import { cronPayload } from "~/jobs/task-payloads";
import { NO_RETRY_POLICY } from "~/jobs/retry-policy";
import { TASK } from "~/jobs/task-names";

// Cron (every 5 minutes): sends deliveries whose dispatch job was never queued or whose dispatcher died.
export const alertsDispatchSweep = defineTask({
  name: TASK.alertsDispatchSweep,
  payload: cronPayload,
  retry: NO_RETRY_POLICY,
  // Sends notifications whose dispatch job was lost (a crash between commit and enqueue).
  schedule: { identifier: "alerts-dispatch-sweep", match: "*/5 * * * *", backfillPeriod: 0 },
  async run(_payload, { helpers }) {
    const alertIds = await dispatchDueDeliveries();
    if (alertIds.length > 0) helpers.logger.info(`swept deliveries of alerts ${alertIds.join(", ")}`);
  },
});
