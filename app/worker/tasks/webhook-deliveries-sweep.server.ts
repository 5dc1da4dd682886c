import { queueJobsOfPendingDeliveries } from "~/webhooks/pending-deliveries.server";
import { NO_RETRY_POLICY } from "~/jobs/retry-policy";
import { TASK } from "~/jobs/task-names";
import { cronPayload } from "~/jobs/task-payloads";
import { defineTask } from "../define-task.server";

// Cron (every minute): the coalescing job of every shop and stream (products/*, inventory_levels/*) whose deliveries
// wait with no job, because the process that accepted them died before it queued one
// (app/webhooks/pending-deliveries.server.ts).
export const webhookDeliveriesSweep = defineTask({
  name: TASK.webhookDeliveriesSweep,
  payload: cronPayload,
  retry: NO_RETRY_POLICY,
  schedule: { identifier: "webhook-deliveries-sweep", match: "* * * * *", backfillPeriod: 0 },
  async run(_payload, { helpers }) {
    const swept = await queueJobsOfPendingDeliveries();
    if (swept.length > 0)
      helpers.logger.info(`queued the pending deliveries of ${swept.map((s) => `${s.shop} (${s.task})`).join(", ")}`);
  },
});
