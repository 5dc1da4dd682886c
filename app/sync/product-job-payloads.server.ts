import { z } from "zod";
import { shopDomain } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";
import { PRODUCT_WEBHOOK_TOPICS } from "./apply-product-webhook.server";

// The payloads of the product sync's own jobs besides the per-shop sync: the check of a bulk export
// (product-export-check, app/worker/tasks/product-sync.server.ts) and a products/* webhook's change
// (product-webhook, app/worker/tasks/product-webhook.server.ts, kept for jobs queued before the coalescing job), with
// the enqueue options of the check. The coalescing job's payload (the shop alone) is every stream's:
// app/webhooks/pending-deliveries.server.ts.

export const PRODUCT_EXPORT_QUEUE = (shop: string) => `product-export:${shop}`;
const CHECK_JOB_KEY = (shop: string) => `${TASK.productExportCheck}:${shop}`;

/** The enqueue options of a shop's export check: it replaces the pending poll and runs in the shop's export queue. */
export function exportCheckJob(shop: string) {
  return { queueName: PRODUCT_EXPORT_QUEUE(shop), jobKey: CHECK_JOB_KEY(shop), jobKeyMode: "replace" as const };
}

export const productExportCheckPayload = z.object({
  shop: shopDomain,
  operationId: z.string().regex(/^\d+$/),
  trigger: z.enum(["webhook", "poll"]).default("poll"),
  poll: z.number().int().min(0).default(0),
});
export type ProductExportCheckPayload = z.infer<typeof productExportCheckPayload>;

export const productWebhookJobPayload = z.object({
  shop: shopDomain,
  topic: z.enum(PRODUCT_WEBHOOK_TOPICS),
  webhookId: z.string().min(1),
  triggeredAt: z.string().nullish(),
  payload: z.record(z.unknown()),
});
export type ProductWebhookJobPayload = z.infer<typeof productWebhookJobPayload>;

declare module "~/jobs/task-payloads" {
  interface TaskPayloadSchemas {
    [TASK.productExportCheck]: typeof productExportCheckPayload;
    [TASK.productWebhook]: typeof productWebhookJobPayload;
  }
}
