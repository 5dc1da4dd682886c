import { pruneWebhookDeliveries } from "~/webhooks/prune-deliveries.server";
import { defineTask } from "../define-task.server";
import { cronPayload } from "~/jobs/task-payloads";
import { NO_RETRY_POLICY } from "~/jobs/retry-policy";
import { TASK } from "~/jobs/task-names";

const HOUR = 60 * 60 * 1000;

// Cron (daily at 04:50 UTC): deletes webhook delivery receipts older than Shopify's retry window
// (app/webhooks/prune-deliveries).
export const webhooksPruneDeliveries = defineTask({
  name: TASK.webhooksPruneDeliveries,
  payload: cronPayload,
  retry: NO_RETRY_POLICY,
  schedule: { identifier: "webhooks-prune-deliveries", match: "50 4 * * *", backfillPeriod: 24 * HOUR },
  async run(_payload, { helpers }) {
    const { deleted, cutoff } = await pruneWebhookDeliveries();
    helpers.logger.info(`pruned ${deleted} webhook delivery receipts older than ${cutoff.toISOString()}`);
  },
});
