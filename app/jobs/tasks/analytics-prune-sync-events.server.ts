import type { Task } from "graphile-worker";
import { z } from "zod";
import { pruneSyncEvents } from "~/analytics/retention.server";
import { TASK } from "~/jobs/task-names";

// Cron (daily): deletes raw sync events older than EVENT_RETENTION_DAYS, in batches.
export const ANALYTICS_PRUNE_SYNC_EVENTS_TASK = TASK.analyticsPruneSyncEvents;

// Cron jobs carry graphile-worker's `_cron` field; nothing else is expected.
const payload = z.object({}).passthrough();

export const analyticsPruneSyncEvents: Task = async (raw, helpers) => {
  payload.parse(raw ?? {});
  const { deleted, batches, cutoff } = await pruneSyncEvents();
  helpers.logger.info(`pruned ${deleted} sync events older than ${cutoff.toISOString()} in ${batches} batches`);
};
