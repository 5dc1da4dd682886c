import { pruneSyncEvents } from "~/analytics/retention.server";
import { defineTask } from "../define-task.server";
import { cronPayload } from "~/jobs/task-payloads";
import { NO_RETRY_POLICY } from "~/jobs/retry-policy";
import { TASK } from "~/jobs/task-names";

const HOUR = 60 * 60 * 1000;

// Cron (daily at 04:45 UTC): deletes raw sync events older than EVENT_RETENTION_DAYS, in batches.
export const analyticsPruneSyncEvents = defineTask({
  name: TASK.analyticsPruneSyncEvents,
  payload: cronPayload,
  retry: NO_RETRY_POLICY,
  schedule: { identifier: "analytics-prune-sync-events", match: "45 4 * * *", backfillPeriod: 24 * HOUR },
  async run(_payload, { helpers }) {
    const { deleted, batches, cutoff } = await pruneSyncEvents();
    helpers.logger.info(`pruned ${deleted} sync events older than ${cutoff.toISOString()} in ${batches} batches`);
  },
});
