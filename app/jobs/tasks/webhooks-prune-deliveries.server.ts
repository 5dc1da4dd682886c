import type { Task } from "graphile-worker";
import { z } from "zod";
import { pruneWebhookDeliveries } from "~/webhooks/prune-deliveries.server";

// Cron (daily): deletes webhook delivery receipts older than Shopify's retry window (app/webhooks/prune-deliveries).

// Cron jobs carry graphile-worker's `_cron` field; nothing else is expected.
const payload = z.object({}).passthrough();

export const webhooksPruneDeliveries: Task = async (raw, helpers) => {
  payload.parse(raw ?? {});
  const { deleted, cutoff } = await pruneWebhookDeliveries();
  helpers.logger.info(`pruned ${deleted} webhook delivery receipts older than ${cutoff.toISOString()}`);
};
