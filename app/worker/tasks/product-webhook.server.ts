import { z } from "zod";
import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { applyProductWebhook } from "~/sync/apply-product-webhook.server";
import { productWebhookJobPayload } from "~/sync/product-job-payloads.server";
import { defineTask, PermanentJobError } from "../define-task.server";
import { TASK } from "~/jobs/task-names";

// `product-webhook` {shop, topic, webhookId, triggeredAt, payload}: one delivery's job, as the products/* routes queued
// it before they stored deliveries for the shop's coalescing job (`product-deliveries`): kept so that jobs queued
// before that release still run. Applies the change unless our row is newer (app/sync/apply-product-webhook.server.ts).

export const productWebhook = defineTask({
  name: TASK.productWebhook,
  payload: productWebhookJobPayload,
  retry: { maxAttempts: 5, firstDelayMs: 10_000 },
  async run(job, { helpers }) {
    const started = Date.now();
    let result;
    try {
      result = await applyProductWebhook({
        shop: job.shop,
        topic: job.topic,
        payload: job.payload,
        triggeredAt: job.triggeredAt,
      });
    } catch (error) {
      // A payload that does not parse will not parse on a retry either.
      if (error instanceof z.ZodError) throw new PermanentJobError(`Malformed ${job.topic} payload: ${error.message}`);
      throw error;
    }
    if (!result.applied && result.reason === "unknown-shop") {
      helpers.logger.info(`product-webhook: ${job.shop} has no connection; ${job.topic} ignored`);
      return;
    }
    await recordSyncEvent({
      shop: job.shop,
      eventType: "WEBHOOK",
      status: "SUCCESS",
      itemCount: result.applied ? 1 + result.variantsWritten : 0,
      processingTimeMs: Date.now() - started,
      metadata: { topic: job.topic, webhookId: job.webhookId, ...result },
    });
  },
});
